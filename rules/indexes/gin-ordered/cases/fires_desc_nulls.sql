-- A DESC key and a NULLS LAST key on GIN indexes.
CREATE TABLE "Docs"."Documents" (
    id bigint NOT NULL,
    "Tags" text[],
    props jsonb
);

CREATE INDEX "Documents tags" ON "Docs"."Documents" USING gin ("Tags" DESC);

CREATE INDEX documents_props_idx
    ON "Docs"."Documents" USING gin (props jsonb_path_ops NULLS LAST);
