-- Hand-written DDL on one line: the key is appended after the last column.
CREATE TABLE app.tags (id integer NOT NULL, label text NOT NULL);
ALTER TABLE app.tags ADD CONSTRAINT tags_pkey PRIMARY KEY (id);
