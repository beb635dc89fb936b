-- A constraint trigger is a trigger too.
CREATE FUNCTION public.check_balance() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RETURN NULL; END $$;

CREATE TABLE public.ledger (
    id integer PRIMARY KEY,
    amount numeric
);

CREATE CONSTRAINT TRIGGER ledger_balance AFTER INSERT ON public.ledger DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check_balance();
