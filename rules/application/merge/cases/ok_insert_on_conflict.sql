INSERT INTO public.stock (sku, qty) VALUES ('a', 1) ON CONFLICT (sku) DO UPDATE SET qty = stock.qty + EXCLUDED.qty;
