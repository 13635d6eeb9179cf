-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN "loggedModelId" TEXT;

-- CreateTable
CREATE TABLE "LoggedModelMetric" (
    "modelId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" REAL,
    "isNan" BOOLEAN NOT NULL DEFAULT false,
    "step" BIGINT NOT NULL DEFAULT 0,
    "timestamp" BIGINT NOT NULL,
    "datasetName" TEXT,
    "datasetDigest" TEXT,

    PRIMARY KEY ("modelId", "key", "timestamp", "step", "runId"),
    CONSTRAINT "LoggedModelMetric_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "LoggedModel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "LoggedModelMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "LoggedModelMetric_runId_idx" ON "LoggedModelMetric"("runId");

-- CreateIndex
CREATE INDEX "ModelVersion_loggedModelId_idx" ON "ModelVersion"("loggedModelId");


-- Backfill: versions registered by a models:/<model_id> source before the column existed.
UPDATE "ModelVersion" SET "loggedModelId" = substr("source", 9, 34)
WHERE substr("source", 1, 10) = 'models:/m-'
  AND (length("source") = 42 OR (length("source") = 43 AND substr("source", 43, 1) = '/'))
  AND substr("source", 11, 32) NOT GLOB '*[^0-9a-f]*';
