SELECT E'\'';
/* nested /* comment */ */ SELECT U&'d\0061t\+000061';
\copy t from stdin
1
\.
CREATE VIEW v AS SELECT 1 AS x
