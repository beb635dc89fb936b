-- A table access method and an index access method.
CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;

CREATE ACCESS METHOD bloom2 TYPE INDEX HANDLER public.blhandler;
