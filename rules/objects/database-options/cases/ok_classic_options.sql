-- Only options ZNbaseDB knows (the collation itself is ZN610's business).
CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' OWNER = postgres;

CREATE DATABASE plain;
