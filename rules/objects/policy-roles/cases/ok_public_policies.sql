-- Policies for everyone: nothing to create first.
CREATE POLICY read_all ON public.articles FOR SELECT USING (published);

CREATE POLICY own_rows ON public.articles TO PUBLIC USING (author = current_user);

CREATE POLICY mine ON public.drafts TO CURRENT_USER USING (true);
