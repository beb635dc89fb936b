TRUNCATE public.staging;
