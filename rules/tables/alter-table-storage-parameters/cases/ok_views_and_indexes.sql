-- View options are not storage parameters; ALTER INDEX … SET is ZN312's; parameters in CREATE TABLE are accepted.
CREATE TABLE public.events (
    id bigint NOT NULL,
    kind text
)
WITH (fillfactor='90');

CREATE VIEW public.clicks AS
 SELECT events.id
   FROM public.events
  WHERE (events.kind = 'click'::text);

ALTER VIEW public.clicks SET (security_barrier = true);

CREATE INDEX events_kind_idx ON public.events USING btree (kind);

ALTER INDEX public.events_kind_idx SET (fillfactor = 80);
