-- name: TryLock :one
SELECT pg_try_advisory_lock(hashtext(@job_name));
SELECT pg_advisory_unlock_all();
