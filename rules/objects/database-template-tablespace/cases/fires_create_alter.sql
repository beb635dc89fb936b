-- Hand-written setup scripts and pg_dumpall-style statements.
CREATE DATABASE tpl WITH TEMPLATE = template0 ENCODING = 'UTF8' IS_TEMPLATE = true;
ALTER DATABASE tpl IS_TEMPLATE = false;
CREATE DATABASE shop_copy WITH TEMPLATE = shop;
create database fast_db tablespace fast_disk;
ALTER DATABASE shop SET TABLESPACE fast_disk;
