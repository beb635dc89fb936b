-- Hand-written: an unnamed table-level UNIQUE on one line.
create table tickets (id bigint primary key, seq int, unique (seq) deferrable initially deferred);
