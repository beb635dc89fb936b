-- pg_dump 15: NULLS NOT DISTINCT added by ALTER TABLE, and inline on a column.
CREATE TABLE public.memberships (
    user_id bigint NOT NULL,
    team_id bigint,
    invite_code text UNIQUE NULLS NOT DISTINCT
);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_team_key UNIQUE NULLS NOT DISTINCT (user_id, team_id);
