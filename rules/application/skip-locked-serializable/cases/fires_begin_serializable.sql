-- The block's level, in BEGIN, START TRANSACTION or SET TRANSACTION inside the block.
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT id FROM public.jobs WHERE state = 'new' LIMIT 10 FOR UPDATE SKIP LOCKED;
COMMIT;
start transaction isolation level serializable, read write;
select * from jobs j for no key update of j skip locked;
commit;
BEGIN;
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SELECT id FROM public.jobs FOR SHARE SKIP LOCKED;
END;
