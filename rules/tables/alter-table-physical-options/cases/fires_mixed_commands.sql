-- Hand-written migration: the storage subcommands go, the default and NOT NULL stay.
CREATE TABLE "Docs"."Pages" (
    id bigint NOT NULL,
    "Body" text,
    summary text,
    views integer
);

ALTER TABLE "Docs"."Pages"
    ALTER COLUMN "Body" SET STORAGE EXTERNAL,
    ALTER COLUMN summary SET DEFAULT '',
    ALTER COLUMN views SET (n_distinct = -0.5),
    ALTER COLUMN "Body" SET COMPRESSION lz4,
    ALTER COLUMN id SET NOT NULL;

ALTER TABLE "Docs"."Pages" ALTER COLUMN views RESET (n_distinct), SET WITHOUT CLUSTER;

ALTER TABLE "Docs"."Pages" SET WITHOUT OIDS;
