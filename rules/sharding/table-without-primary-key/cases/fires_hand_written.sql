-- Hand-written: no key, a key dropped by INHERITS (children do not inherit keys), and LIKE
-- without INCLUDING INDEXES.
create table tags (name text unique, hits int);
CREATE TABLE base (id bigint PRIMARY KEY);
CREATE TABLE child (extra text) INHERITS (base);
CREATE TABLE copy_of_base (LIKE base INCLUDING DEFAULTS);
CREATE UNLOGGED TABLE scratch (v text);
