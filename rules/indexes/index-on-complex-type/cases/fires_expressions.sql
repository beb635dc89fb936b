-- Expression keys whose type ZNbaseDB cannot index: casts, functions of known result type, -> on jsonb.
create table docs (id int primary key, data text, body jsonb, title text, starts timestamptz, ends timestamptz);

create index docs_data_jsonb on docs ((data::jsonb));
create index docs_data_json on docs (cast(data as json));
create index docs_tsv on docs (to_tsvector('english', title));
create index docs_period on docs (tstzrange(starts, ends));
create index docs_body_meta on docs ((body -> 'meta'));
CREATE INDEX docs_words ON public.docs USING btree (string_to_array(title, ' '::text));
CREATE INDEX docs_body ON public.docs USING btree (((body)));
