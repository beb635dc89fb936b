-- pg_dump --create from PostgreSQL 15, an ICU database, and PostgreSQL 17's options.
CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'en_US.UTF-8';

CREATE DATABASE intl WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = icu ICU_LOCALE = 'de-DE' STRATEGY = file_copy;

CREATE DATABASE modern WITH TEMPLATE = template0 LOCALE_PROVIDER = builtin BUILTIN_LOCALE = 'C.UTF-8';
