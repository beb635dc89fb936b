-- A script (as PostgreSQL's regression tests are written) that drops a table and creates it
-- again with INHERITS: the second definition is the one that inherits.
CREATE TABLE pkparent (id int);
CREATE TABLE pktable (id int, note text);
DROP TABLE pktable;
CREATE TABLE pktable (note text) INHERITS (pkparent);
INSERT INTO pktable VALUES (1, 'child');
