-- NULLS FIRST in an index and SELECT DISTINCT in a view are not the clause.
CREATE TABLE public.teams (
    id bigint NOT NULL,
    name text
);

CREATE INDEX teams_name_idx ON public.teams (name NULLS FIRST);

CREATE VIEW public.team_names AS SELECT DISTINCT name FROM public.teams;
