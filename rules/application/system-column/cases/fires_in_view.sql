CREATE VIEW public.row_versions AS SELECT id, xmin AS version FROM public.accounts;
