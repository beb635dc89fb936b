-- pg_dump 14+: per-column compression, on a quoted column and before a default.
CREATE TABLE public.workspace_agent_logs (
    agent_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    output character varying(1024) COMPRESSION lz4 NOT NULL,
    "Raw Payload" bytea COMPRESSION pglz DEFAULT '\x'::bytea,
    id bigint NOT NULL
);
