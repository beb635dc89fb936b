-- A self-referencing key added NOT VALID.
CREATE TABLE public.employees (
    id integer PRIMARY KEY,
    manager_id integer
);

ALTER TABLE public.employees
    ADD CONSTRAINT employees_manager_fkey FOREIGN KEY (manager_id) REFERENCES public.employees(id) NOT VALID;
