SELECT xmin, xmax FROM (SELECT min(x) AS xmin, max(x) AS xmax FROM public.points) AS box;
SELECT backend_xmin FROM pg_stat_replication;
