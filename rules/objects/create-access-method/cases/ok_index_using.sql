-- Choosing a built-in method in CREATE INDEX is not CREATE ACCESS METHOD.
CREATE TABLE public.logs (id bigint PRIMARY KEY, line text);
CREATE INDEX logs_line_idx ON public.logs USING btree (line);
