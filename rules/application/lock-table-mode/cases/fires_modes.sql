LOCK TABLE public.jobs IN EXCLUSIVE MODE;
LOCK public.jobs;
