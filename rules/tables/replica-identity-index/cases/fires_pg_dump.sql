-- pg_dump: the identity index, then REPLICA IDENTITY; and a hand-written ALTER with another subcommand.
CREATE TABLE public.accounts (
    id bigint NOT NULL,
    email text NOT NULL
);

CREATE UNIQUE INDEX accounts_email_key ON public.accounts USING btree (email);

ALTER TABLE ONLY public.accounts REPLICA IDENTITY USING INDEX accounts_email_key;

alter table accounts replica identity using index accounts_email_key, alter column email set default '';
