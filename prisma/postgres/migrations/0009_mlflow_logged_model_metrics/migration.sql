-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "loggedModelId" TEXT;

-- CreateTable
CREATE TABLE "LoggedModelMetric" (
    "modelId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "isNan" BOOLEAN NOT NULL DEFAULT false,
    "step" BIGINT NOT NULL DEFAULT 0,
    "timestamp" BIGINT NOT NULL,
    "datasetName" TEXT,
    "datasetDigest" TEXT,

    CONSTRAINT "LoggedModelMetric_pkey" PRIMARY KEY ("modelId","key","timestamp","step","runId")
);

-- CreateIndex
CREATE INDEX "LoggedModelMetric_runId_idx" ON "LoggedModelMetric"("runId");

-- CreateIndex
CREATE INDEX "ModelVersion_loggedModelId_idx" ON "ModelVersion"("loggedModelId");

-- AddForeignKey
ALTER TABLE "LoggedModelMetric" ADD CONSTRAINT "LoggedModelMetric_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "LoggedModel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LoggedModelMetric" ADD CONSTRAINT "LoggedModelMetric_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Backfill: versions registered by a models:/<model_id> source before the column existed.
UPDATE "ModelVersion" SET "loggedModelId" = substring("source" from 9 for 34)
WHERE "source" ~ '^models:/m-[0-9a-f]{32}/?$';
