-- ALTER VIEW subcommands from migration scripts.
ALTER VIEW public.active_users OWNER TO app;

ALTER VIEW public.active_users ALTER COLUMN status SET DEFAULT 'active';

ALTER VIEW public.active_users SET (security_barrier = true);
