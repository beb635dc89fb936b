CREATE SCHEMA Person
  CREATE TABLE BusinessEntity(
    BusinessEntityID SERIAL, --  NOT FOR REPLICATION
    ModifiedDate TIMESTAMP NOT NULL CONSTRAINT "DF_BusinessEntity_ModifiedDate" DEFAULT (NOW())
  )
  CREATE TABLE "Person"(
    BusinessEntityID INT NOT NULL,
    Title varchar(8) NULL
  )
  CREATE INDEX person_title ON "Person" (Title)
  GRANT SELECT ON BusinessEntity TO PUBLIC;

ALTER TABLE Person.BusinessEntity ADD CONSTRAINT "PK_BusinessEntity" PRIMARY KEY (BusinessEntityID);
