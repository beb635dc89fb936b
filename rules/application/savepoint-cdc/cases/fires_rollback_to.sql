SAVEPOINT s;
UPDATE public.orders SET state = 'x';
ROLLBACK TO SAVEPOINT s;
