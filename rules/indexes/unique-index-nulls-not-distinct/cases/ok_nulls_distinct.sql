-- Ordinary unique indexes; NULLS DISTINCT is the default.
CREATE TABLE public.memberships (
    user_id bigint NOT NULL,
    team_id bigint
);

CREATE UNIQUE INDEX memberships_user_team_idx ON public.memberships USING btree (user_id, team_id);

CREATE UNIQUE INDEX memberships_team_idx ON public.memberships (team_id) NULLS DISTINCT;
