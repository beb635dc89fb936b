-- pg_dump 15: a partial unique index with NULLS NOT DISTINCT, and one with INCLUDE on a quoted table.
CREATE TABLE public."Memberships" (
    user_id bigint NOT NULL,
    team_id bigint,
    role text,
    archived boolean DEFAULT false
);

CREATE UNIQUE INDEX memberships_user_team_idx ON public."Memberships" USING btree (user_id, team_id) NULLS NOT DISTINCT WHERE (NOT archived);

CREATE UNIQUE INDEX "Memberships role" ON public."Memberships" USING btree (team_id, role) INCLUDE (user_id) NULLS NOT DISTINCT;
