-- pg_dump (Rails structure.sql): an unlogged cache table with its comment and sequence.
CREATE UNLOGGED TABLE public.rate_limits (
    id bigint NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    key character varying NOT NULL,
    points double precision NOT NULL
);

COMMENT ON TABLE public.rate_limits IS 'Ephemeral: losing rows after a crash is safe.';

CREATE SEQUENCE public.rate_limits_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.rate_limits_id_seq OWNED BY public.rate_limits.id;
