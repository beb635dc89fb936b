-- Policies for named roles, alone or with PUBLIC.
CREATE POLICY tenant_isolation ON public.orders TO app_reader, app_writer USING (tenant_id = current_setting('app.tenant')::integer);

CREATE POLICY reports ON public.orders FOR SELECT TO PUBLIC, reporting USING (true);
