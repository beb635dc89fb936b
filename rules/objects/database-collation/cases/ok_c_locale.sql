-- The C locale, or no locale at all.
CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LC_COLLATE = 'C' LC_CTYPE = 'C';

CREATE DATABASE plain;

-- The C collation with the cluster's character classification.
CREATE DATABASE app LC_COLLATE = 'C' LC_CTYPE = 'en_US.UTF-8';
