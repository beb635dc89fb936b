-- PostgreSQL 13+ lets a base type's properties change after creation.
ALTER TYPE public.ltree_like SET (SEND = public.ltree_like_send, RECEIVE = public.ltree_like_recv);
