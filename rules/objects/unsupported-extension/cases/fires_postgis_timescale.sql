-- Extensions ZNbaseDB does not ship, with the COMMENT pg_dump writes after each.
CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;

COMMENT ON EXTENSION postgis IS 'PostGIS geometry and geography spatial types and functions';

CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public;

CREATE EXTENSION vector;
