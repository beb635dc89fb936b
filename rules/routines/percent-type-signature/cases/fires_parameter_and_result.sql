-- %TYPE in a parameter, and in the result type of a procedure-like function.
CREATE TABLE public.employees (employee_id integer PRIMARY KEY, salary numeric);

CREATE FUNCTION public.get_salary(emp_id public.employees.employee_id%TYPE) RETURNS numeric
    LANGUAGE plpgsql
    AS $$
BEGIN
    RETURN (SELECT salary FROM public.employees WHERE employee_id = emp_id);
END;
$$;

CREATE FUNCTION public.max_salary() RETURNS public.employees.salary%TYPE
    LANGUAGE sql
    AS $$ SELECT max(salary) FROM public.employees $$;
