-- Tuning an index after the fact: SET and RESET, a quoted name.
CREATE TABLE public.events (
    id bigint NOT NULL,
    tags text[]
);

CREATE INDEX "Events tags" ON public.events USING gin (tags);

ALTER INDEX public."Events tags" SET (fastupdate = off, gin_pending_list_limit = 1024);

ALTER INDEX IF EXISTS public."Events tags" RESET (gin_pending_list_limit);
