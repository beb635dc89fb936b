-- Without INCLUDING, LIKE copies only columns, types and NOT NULL.
CREATE TABLE app.events (id bigint NOT NULL, payload jsonb DEFAULT '{}'::jsonb, PRIMARY KEY (id));
CREATE TABLE app.events_staging (LIKE app.events);
