-- %TYPE inside the body is resolved when the function runs: not reported.
CREATE FUNCTION public.get_employee_salary(emp_id integer) RETURNS numeric
    LANGUAGE plpgsql
    AS $$
DECLARE
    emp_salary employees.salary%TYPE;
BEGIN
    SELECT salary INTO emp_salary FROM employees WHERE employee_id = emp_id;
    RETURN emp_salary;
END;
$$;
