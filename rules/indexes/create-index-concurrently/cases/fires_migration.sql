-- Migration scripts: unique, IF NOT EXISTS, lower case and a quoted name over several lines.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email text,
    "Last Login" timestamp
);

CREATE UNIQUE INDEX CONCURRENTLY index_users_on_email ON public.users USING btree (lower(email));

create index concurrently if not exists "Users by login"
    on public.users ("Last Login" desc)
    where ("Last Login" is not null);
