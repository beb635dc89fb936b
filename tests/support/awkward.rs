//! A source table of every awkward value (NULL vs empty string, tabs, newlines, backslashes, `\.`
//! lines, quotes, non-ASCII, emoji, bytea, arrays, json/jsonb, numeric extremes, infinity
//! timestamps, generated and identity columns), a table without a primary key, an empty table, a
//! partitioned table and a sequence: the data path's fidelity tests load it into a source.

/// `awkward` (9 rows), `no_key` (5), `empty`, `parted` (300 rows in `parted_low` and
/// `parted_high`), sequence `counter` (last value 11).
pub const AWKWARD: &str = r#"
CREATE TABLE public.awkward (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    t text,
    b bytea,
    a int[],
    ta text[],
    j jsonb,
    n numeric,
    f float8,
    ts timestamp,
    tz timestamptz,
    d date,
    len int GENERATED ALWAYS AS (length(t)) STORED
);
INSERT INTO public.awkward (t, b, a, ta, j, n, f, ts, tz, d) VALUES
 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('', '\x', '{}', '{}', '{}', 0, 0, 'infinity', '-infinity', 'infinity'),
 (E'tab\there', '\x00ff5c2e0a', '{1,NULL,3}', ARRAY[NULL, '', 'a,b', 'q"uote', E'back\\slash'], '{"a": [1, "x\ty", null], "é": "☃"}',
  'NaN', 'Infinity', '-infinity', 'infinity', '-infinity'),
 (E'line1\nline2\r\nline3', decode('5c2e0a', 'hex'), '{-2147483648,2147483647}', '{"{}"}', '"just a string"',
  99999999999999999999999999999999999999.000000000000000000001, -1.5e300, '2000-01-01 00:00:00.000001', '1999-12-31 23:59:59.999999+14', '4713-01-01 BC'),
 (E'\\.', NULL, NULL, NULL, '[]', -0.000000000000000000000000000001, 'NaN', NULL, NULL, NULL),
 (E'a\n\\.\nb', NULL, NULL, NULL, 'null', 1e-100, '-0', NULL, NULL, NULL),
 (E'it''s "quoted" \\N not null', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 ('non-ASCII: ÄÖÜ ß 中文 עברית 😀🎉 👩‍👩‍👧', NULL, NULL, ARRAY['😀'], '{"emoji": "🎉"}', NULL, NULL, NULL, NULL, NULL),
 (E'\\N', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TABLE public.no_key (a text, b int);
INSERT INTO public.no_key VALUES ('dup', 1), ('dup', 1), (NULL, NULL), ('', NULL), (E'\t', 2);
CREATE TABLE public.empty (x int);
CREATE TABLE public.parted (id int NOT NULL, v text) PARTITION BY RANGE (id);
CREATE TABLE public.parted_low PARTITION OF public.parted FOR VALUES FROM (0) TO (100);
CREATE TABLE public.parted_high PARTITION OF public.parted FOR VALUES FROM (100) TO (1000);
INSERT INTO public.parted SELECT g, 'p' || g FROM generate_series(1, 300) g;
CREATE SEQUENCE public.counter START 10;
SELECT nextval('public.counter'), nextval('public.counter');
"#;
