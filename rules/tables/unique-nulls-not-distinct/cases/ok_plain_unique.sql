-- Ordinary UNIQUE constraints, and NULLS DISTINCT spelled out (the default).
CREATE TABLE public.memberships (
    user_id bigint NOT NULL,
    team_id bigint,
    CONSTRAINT memberships_user_team_key UNIQUE NULLS DISTINCT (user_id, team_id)
);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_key UNIQUE (user_id);
