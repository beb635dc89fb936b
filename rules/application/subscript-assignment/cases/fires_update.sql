UPDATE public.docs SET body['a'] = '1', body['b'] = '2' WHERE id = $1;
