-- Role membership and a policy are not privileges statements.
CREATE TABLE public.payment (
    payment_id integer NOT NULL,
    customer_id integer NOT NULL
);

GRANT reporting TO analyst;

ALTER TABLE public.payment ENABLE ROW LEVEL SECURITY;

CREATE POLICY payment_own ON public.payment FOR SELECT TO analyst USING ((customer_id = 1));
