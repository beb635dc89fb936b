-- Parameters on the table itself and a constraint without them.
CREATE TABLE public.accounts (
    id bigint NOT NULL,
    handle text,
    CONSTRAINT accounts_handle_key UNIQUE (handle)
)
WITH (fillfactor='70');

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
