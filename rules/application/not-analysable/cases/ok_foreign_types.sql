-- Types in other schemas than public, and %TYPE / %ROWTYPE, in the parameters, the result and
-- DECLARE: PL/pgSQL's parser cannot resolve them without a catalog; they get a stand-in.
CREATE FUNCTION billing.total(p_order billing.orders.id%TYPE, p_kind billing.kind)
RETURNS billing.money_t
LANGUAGE plpgsql AS $$
DECLARE
    r billing.orders%ROWTYPE;
    v_sum billing.money_t := 0;
    v_note public.orders.note%TYPE;
BEGIN
    SELECT * INTO r FROM billing.orders WHERE id = p_order;
    RETURN v_sum;
END $$;
CREATE FUNCTION app.names() RETURNS SETOF app.person LANGUAGE plpgsql AS 'BEGIN RETURN QUERY SELECT * FROM app.people; END';
CREATE PROCEDURE app.touch(IN p app.people.id%TYPE) LANGUAGE plpgsql AS $$
BEGIN
    UPDATE app.people SET seen = now() WHERE id = p;
END $$;
