-- The session's default, for every later transaction that does not set its own.
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SELECT id FROM public.jobs LIMIT 1 FOR UPDATE SKIP LOCKED;
SET default_transaction_isolation = 'serializable';
BEGIN;
DELETE FROM public.jobs WHERE id IN (SELECT id FROM public.jobs LIMIT 5 FOR UPDATE SKIP LOCKED);
COMMIT;
