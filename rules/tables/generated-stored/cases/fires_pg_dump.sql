CREATE TABLE public.chat_messages (
    id uuid NOT NULL,
    thread_root_id uuid,
    client_session_id character varying(64),
    session_id text GENERATED ALWAYS AS (COALESCE(client_session_id, ((thread_root_id)::text)::character varying, ((id)::text)::character varying)) STORED NOT NULL,
    body text
);
