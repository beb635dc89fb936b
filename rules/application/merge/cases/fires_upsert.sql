MERGE INTO public.prices p USING (SELECT sku, price FROM public.feed) f ON p.sku = f.sku
WHEN NOT MATCHED THEN INSERT (sku, price) VALUES (f.sku, f.price)
WHEN MATCHED THEN DO NOTHING;
