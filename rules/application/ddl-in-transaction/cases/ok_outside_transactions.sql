CREATE TABLE public.t (id int);
BEGIN;
INSERT INTO public.t VALUES (1);
COMMIT;
