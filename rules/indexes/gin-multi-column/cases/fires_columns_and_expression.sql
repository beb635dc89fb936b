-- Two columns, and a column plus an expression (btree_gin style), with quoted names.
CREATE TABLE public."Articles" (
    id bigint NOT NULL,
    "Tags" text[],
    body text,
    account_id integer
);

CREATE INDEX "Articles search" ON public."Articles" USING gin ("Tags", to_tsvector('english'::regconfig, body));

CREATE INDEX articles_account_tags_idx ON public."Articles" USING gin (account_id, "Tags");
