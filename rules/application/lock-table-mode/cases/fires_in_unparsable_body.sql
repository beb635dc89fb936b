-- A body PL/pgSQL's parser rejects (the missing condition): its statements that parse on their
-- own are still checked, at their positions.
CREATE FUNCTION app.rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF THEN
        LOCK TABLE app.items IN SHARE ROW EXCLUSIVE MODE;
    END IF;
END $$;
