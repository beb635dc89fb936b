-- Row triggers use OLD and NEW records, not transition tables.
CREATE TRIGGER history_row AFTER INSERT OR UPDATE ON public.chat_messages FOR EACH ROW EXECUTE FUNCTION public.update_chat_history_row();
