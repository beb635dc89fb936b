-- A body with a %TYPE parameter (checked through a stand-in type), and one no parser takes
-- (checked by its tokens): SQL/JSON is found in both, at its position.
CREATE FUNCTION app.tags(p_id app.items.id%TYPE) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v app.items%ROWTYPE;
BEGIN
    RETURN (SELECT JSON_ARRAYAGG(t.name ORDER BY t.name) FROM app.tags t WHERE t.item = p_id);
END $$;
CREATE FUNCTION app.broken(d text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF THEN
    RETURN d IS JSON OBJECT AND JSON_EXISTS(d::jsonb, '$.a');
END $$;
