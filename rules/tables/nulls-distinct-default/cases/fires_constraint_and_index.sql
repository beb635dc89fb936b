-- NULLS DISTINCT spelled out, in a table constraint, an ALTER TABLE and a unique index.
CREATE TABLE public.memberships (
    user_id bigint NOT NULL,
    team_id bigint,
    CONSTRAINT memberships_user_team_key UNIQUE NULLS DISTINCT (user_id, team_id)
);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_team_key UNIQUE NULLS DISTINCT (team_id);

CREATE UNIQUE INDEX memberships_team_idx ON public.memberships (team_id) nulls distinct;
