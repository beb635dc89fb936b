-- An enabled rule and a disabled trigger are not disabled rules.
CREATE TABLE public.orders (
    id bigint NOT NULL
);

CREATE VIEW public.orders_v AS
 SELECT orders.id
   FROM public.orders;

CREATE RULE orders_v_ins AS
    ON INSERT TO public.orders_v DO INSTEAD  INSERT INTO public.orders (id)
  VALUES (new.id);

CREATE FUNCTION public.noop() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RETURN NEW; END $$;

CREATE TRIGGER orders_noop BEFORE INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.noop();

ALTER TABLE public.orders DISABLE TRIGGER orders_noop;
