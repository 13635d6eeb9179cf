-- Trial attributes for the database HPO storage (user and system attributes, JSON).
ALTER TABLE "Trial" ADD COLUMN "userAttrs" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "Trial" ADD COLUMN "systemAttrs" TEXT NOT NULL DEFAULT '{}';
