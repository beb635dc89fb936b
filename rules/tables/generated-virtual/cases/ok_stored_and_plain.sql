-- Stored generated columns are ZN206's; plain columns are untouched.
CREATE TABLE public.orders (
    qty integer NOT NULL,
    price numeric NOT NULL,
    note text
);
