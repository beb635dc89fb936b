SELECT jsonb_build_object('id', id), json_object('{a,1}') FROM public.users;
