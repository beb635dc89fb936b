SELECT lo_get(doc_oid) FROM public.documents WHERE id = $1;
SELECT lo_unlink($1);
