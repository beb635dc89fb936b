-- Hand-written DDL: an unnamed exclusion constraint with an index parameter and a WHERE clause.
CREATE TABLE public.shifts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employee_id integer NOT NULL,
    period tsrange NOT NULL,
    cancelled boolean DEFAULT false NOT NULL,
    EXCLUDE USING gist (employee_id WITH =, period WITH &&)
        WITH (fillfactor = 90)
        WHERE (NOT cancelled)
);
