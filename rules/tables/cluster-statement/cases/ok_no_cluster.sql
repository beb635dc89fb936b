-- A table and an index named cluster are not the statement.
CREATE TABLE public.cluster (id bigint PRIMARY KEY, node text);
CREATE INDEX cluster_node_idx ON public.cluster (node);
SELECT * FROM public.cluster;
