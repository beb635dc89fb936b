-- Queue consumers that ask not to wait: NOWAIT and SKIP LOCKED, in every lock strength.
SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED;
SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT;
select * from jobs for no key update skip locked;
SELECT * FROM jobs FOR SHARE NOWAIT;
