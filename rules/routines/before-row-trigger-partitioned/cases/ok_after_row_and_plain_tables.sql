CREATE FUNCTION public.audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TABLE public.m (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.m_1 PARTITION OF public.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- AFTER ROW triggers on partitioned tables are supported: no change.
CREATE TRIGGER m_audit AFTER INSERT ON public.m FOR EACH ROW EXECUTE FUNCTION public.audit();
CREATE TABLE public.plain (id int);
CREATE TRIGGER plain_audit BEFORE INSERT ON public.plain FOR EACH ROW EXECUTE FUNCTION public.audit();
