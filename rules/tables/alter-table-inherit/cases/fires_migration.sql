-- A maintenance script moving a child between parents, with quoted names.
CREATE TABLE public."Logs" (id bigint, msg text);
CREATE TABLE public."Logs Archive" (id bigint, msg text);
CREATE TABLE public."Logs 2023" (id bigint, msg text);

ALTER TABLE ONLY public."Logs 2023"
    NO INHERIT public."Logs";

ALTER TABLE public."Logs 2023" INHERIT public."Logs Archive";
