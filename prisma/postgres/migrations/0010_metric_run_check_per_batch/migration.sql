-- Metric points are checked against their run once per batch, not once per point: the log-batch
-- statement (lib/tracking/logging.ts) inserts only while the run exists and is active, and holds
-- the run's row FOR KEY SHARE until it commits, as the foreign key's check did for every point
-- (a third of a 1,000-point batch's time). Deleting runs still deletes their points, here.
ALTER TABLE "Metric" DROP CONSTRAINT "Metric_runId_fkey";

CREATE FUNCTION "Run_delete_metrics"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "Metric" m USING deleted_runs d WHERE m."runId" = d."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "Run_delete_metrics" AFTER DELETE ON "Run"
  REFERENCING OLD TABLE AS deleted_runs FOR EACH STATEMENT EXECUTE FUNCTION "Run_delete_metrics"();
