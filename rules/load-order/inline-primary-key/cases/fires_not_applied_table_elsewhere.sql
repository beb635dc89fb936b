-- The table is created in another file: the key cannot be folded, the rule warns instead.
ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
