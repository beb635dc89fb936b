-- pg_dump writes constraint triggers with their deferral; a non-deferrable one too.
CREATE CONSTRAINT TRIGGER check_balance AFTER INSERT OR UPDATE ON public.ledger DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check_balance();

CREATE CONSTRAINT TRIGGER audit_now AFTER DELETE ON public.ledger NOT DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE PROCEDURE public.audit_delete();
