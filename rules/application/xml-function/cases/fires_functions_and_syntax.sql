SELECT xmlelement(name order, xmlattributes(id AS id), note) FROM public.orders;
SELECT x.id FROM public.docs d, XMLTABLE('/rows/row' PASSING d.body COLUMNS id int) AS x;
SELECT pg_catalog.xpath_exists('/a', body) FROM public.docs;
