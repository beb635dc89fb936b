-- No primary key: nothing to shard explicitly.
CREATE TABLE public.log (at timestamp with time zone, msg text);
