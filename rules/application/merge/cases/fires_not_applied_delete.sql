MERGE INTO public.stock t USING public.incoming s ON t.sku = s.sku
WHEN MATCHED AND s.qty = 0 THEN DELETE
WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (s.sku, s.qty);
