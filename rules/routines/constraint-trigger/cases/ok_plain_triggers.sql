-- Ordinary row and statement triggers.
CREATE TRIGGER last_updated BEFORE UPDATE ON public.ledger FOR EACH ROW EXECUTE FUNCTION public.last_updated();

CREATE TRIGGER audit AFTER DELETE ON public.ledger FOR EACH STATEMENT EXECUTE FUNCTION public.audit_delete();
