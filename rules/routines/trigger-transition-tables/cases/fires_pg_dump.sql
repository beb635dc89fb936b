-- Statement triggers reading old and new transition tables, as pg_dump writes them.
CREATE TRIGGER trigger_update_chat_history_after_message_insert AFTER INSERT ON public.chat_messages REFERENCING NEW TABLE AS chat_message_history_new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.update_chat_history_after_message_insert();

CREATE TRIGGER trigger_update_chat_history_after_message_update AFTER UPDATE ON public.chat_messages REFERENCING OLD TABLE AS chat_message_history_old_rows NEW TABLE AS chat_message_history_new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.update_chat_history_after_message_update();
