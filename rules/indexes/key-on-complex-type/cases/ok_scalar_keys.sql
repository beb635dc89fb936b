-- Keys on scalar types, and a CHECK on an inet column.
CREATE TABLE public.ip_bans (
    id bigint NOT NULL,
    ip_addr inet NOT NULL,
    created_at timestamp
);

ALTER TABLE ONLY public.ip_bans
    ADD CONSTRAINT ip_bans_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.ip_bans
    ADD CONSTRAINT ip_bans_created_key UNIQUE (created_at, id);

ALTER TABLE ONLY public.ip_bans
    ADD CONSTRAINT ip_bans_ip_addr_check CHECK (NOT (ip_addr << '10.0.0.0/8'::inet));
