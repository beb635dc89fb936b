-- An xml column in a table created inside CREATE SCHEMA (hand-written scripts, AdventureWorks).
CREATE SCHEMA docs
    CREATE TABLE page (id int PRIMARY KEY, body xml)
    CREATE VIEW page_ids AS SELECT id FROM page;
