-- Columns whose names mention compression, and a table without the clause.
CREATE TABLE public.chat_model_configs (
    id uuid NOT NULL,
    compression_threshold integer NOT NULL,
    compression text DEFAULT 'none'::text,
    CONSTRAINT chat_model_configs_compression_threshold_check CHECK (((compression_threshold >= 0) AND (compression_threshold <= 100)))
);
