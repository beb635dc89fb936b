-- Hand-written DDL: lower case, a quoted name, a storage parameter, on one line.
create unlogged table if not exists "Session Cache" (token text primary key, payload jsonb) with (fillfactor = 90);
