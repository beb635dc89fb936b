-- pg_dump --create of a LATIN1 database, and hand-written spellings.
CREATE DATABASE legacy WITH TEMPLATE = template0 ENCODING = 'LATIN1' LOCALE_PROVIDER = libc LC_COLLATE = 'C' LC_CTYPE = 'C';

CREATE DATABASE test ENCODING = LATIN5;
create database asc_db encoding 'SQL_ASCII' template template0;
CREATE DATABASE win WITH ENCODING 'WIN1252';
