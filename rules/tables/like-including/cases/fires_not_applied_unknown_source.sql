-- The source table is not in the input: the statement is kept and the finding says why.
CREATE TABLE public.copy (LIKE public.elsewhere INCLUDING DEFAULTS);
