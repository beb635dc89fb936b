-- pg_dump spells serial out as integer + DEFAULT nextval (the sequence is ZN701's business); uuid keys.
CREATE TABLE public.contacts (
    contact_id integer DEFAULT nextval('public.contacts_contact_id_seq'::regclass) NOT NULL,
    email text
);

CREATE TABLE public.sessions (
    id uuid DEFAULT gen_random_uuid() PRIMARY KEY,
    started_at timestamptz
);
