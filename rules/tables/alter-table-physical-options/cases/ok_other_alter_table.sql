-- ALTER TABLE subcommands ZNbaseDB supports.
CREATE TABLE public.posts (
    id bigint NOT NULL,
    score integer
);

CREATE SEQUENCE public.posts_id_seq;

ALTER TABLE ONLY public.posts ALTER COLUMN id SET DEFAULT nextval('public.posts_id_seq'::regclass);

ALTER TABLE public.posts ADD COLUMN title text, ALTER COLUMN score SET NOT NULL;

ALTER TABLE public.posts ENABLE ROW LEVEL SECURITY;
