-- pg_dumpall writes tablespaces with their directory, and settings changed later.
CREATE TABLESPACE fast OWNER postgres LOCATION '/ssd/pg';

ALTER TABLESPACE fast SET (random_page_cost='1.1');

CREATE TABLESPACE archive LOCATION '/hdd/pg' WITH (seq_page_cost=2);
