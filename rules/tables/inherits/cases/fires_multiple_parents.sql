-- Multiple parents, quoted names, a table without own columns.
CREATE TABLE "Audit"."Created" (created_at timestamptz DEFAULT now());
CREATE TABLE "Audit"."Updated" (updated_at timestamptz);
CREATE TABLE "Audit"."Row Log" () INHERITS ("Audit"."Created", "Audit"."Updated");
