SELECT content FROM public.documents WHERE id = $1;
