BEGIN;
UPDATE public.accounts SET balance = 0 WHERE id = 1;
COMMIT;
