-- The number of points per (run, key), kept by the log-batch statement: a sampled history cached by
-- the server (lib/tracking/history-cache.ts) is still whole while this count has not changed.
ALTER TABLE "LatestMetric" ADD COLUMN "pointCount" BIGINT NOT NULL DEFAULT 0;

UPDATE "LatestMetric" SET "pointCount" = (
  SELECT COUNT(*) FROM "Metric" m WHERE m."runId" = "LatestMetric"."runId" AND m."key" = "LatestMetric"."key"
);
