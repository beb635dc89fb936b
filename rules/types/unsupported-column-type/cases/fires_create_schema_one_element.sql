-- One element of CREATE SCHEMA has an xml column: it moves alone, with the view that needs it;
-- the schema, the other table and the view over that table load.
CREATE SCHEMA s
    CREATE TABLE a (x int)
    CREATE TABLE b (y xml)
    CREATE VIEW v AS SELECT * FROM a
    CREATE VIEW vb AS SELECT * FROM b;
