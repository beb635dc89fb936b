-- Other REPLICA IDENTITY forms are not this rule's.
CREATE TABLE public.accounts (id bigint PRIMARY KEY, email text NOT NULL);
ALTER TABLE ONLY public.accounts REPLICA IDENTITY FULL;
ALTER TABLE public.accounts REPLICA IDENTITY DEFAULT;
