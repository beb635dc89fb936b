-- Hand-written maintenance: every spelling of CLUSTER.
CREATE TABLE public.events (id bigint PRIMARY KEY, at timestamptz);
CREATE INDEX events_at_idx ON public.events (at);
CLUSTER public.events USING events_at_idx;
cluster events;
CLUSTER VERBOSE public.events USING events_at_idx;
CLUSTER;
