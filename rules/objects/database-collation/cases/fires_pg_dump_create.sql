-- pg_dump --create from PostgreSQL 11 to 14 spells out the source locale.
CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LC_COLLATE = 'en_US.UTF-8' LC_CTYPE = 'en_US.UTF-8';

CREATE DATABASE archive WITH TEMPLATE = template0 LC_COLLATE = 'de_DE.utf8';

-- Only the character classification differs (hand-written).
CREATE DATABASE turkish LC_CTYPE = 'tr_TR.UTF-8';
