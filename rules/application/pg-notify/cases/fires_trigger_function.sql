CREATE FUNCTION public.notify_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('orders', NEW.id::text);
    RETURN NEW;
END $$;
