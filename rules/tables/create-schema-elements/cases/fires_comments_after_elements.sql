-- Comments after the elements (hand-written scripts): each split statement ends before them, so
-- no `;` lands inside a comment.
CREATE SCHEMA inventory
    CREATE TABLE items (id int PRIMARY KEY, name text) -- one row per item
    CREATE VIEW named_items AS SELECT id, name FROM items -- what the shop shows
;
