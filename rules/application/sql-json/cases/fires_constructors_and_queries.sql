SELECT JSON_ARRAYAGG(id ORDER BY id) FROM public.users;
SELECT JSON_VALUE(doc, '$.a' RETURNING int) FROM public.docs WHERE doc IS JSON OBJECT;
SELECT * FROM JSON_TABLE('[1]'::jsonb, '$[*]' COLUMNS (v int PATH '$')) AS jt;
