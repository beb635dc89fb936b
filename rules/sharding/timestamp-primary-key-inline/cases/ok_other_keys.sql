-- Keys on ids, on (id, timestamp), and timestamp columns that are not the key.
CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    created_at timestamptz NOT NULL
);

CREATE TABLE public.measurements (
    id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    PRIMARY KEY (id, taken_at)
);

CREATE TABLE public.log (day date, line text);
