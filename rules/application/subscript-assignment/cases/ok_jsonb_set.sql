UPDATE public.docs SET body = jsonb_set(body, '{a}', '1') WHERE id = $1;
