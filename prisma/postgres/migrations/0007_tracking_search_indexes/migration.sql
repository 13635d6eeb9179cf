-- Run search at scale: covering indexes for the runs table's default order, and for sorting and
-- filtering runs by a param, tag or latest metric in index order.

-- DropIndex
DROP INDEX "Run_experimentId_startTime_idx";

-- DropIndex
DROP INDEX "LatestMetric_key_value_idx";

-- CreateIndex
CREATE INDEX "Run_experimentId_startTime_id_lifecycleStage_idx" ON "Run"("experimentId", "startTime" DESC, "id", "lifecycleStage");

-- CreateIndex
CREATE INDEX "Param_key_value_runId_idx" ON "Param"("key", "value", "runId");

-- CreateIndex
CREATE INDEX "RunTag_key_value_runId_idx" ON "RunTag"("key", "value", "runId");

-- CreateIndex
CREATE INDEX "LatestMetric_key_value_runId_idx" ON "LatestMetric"("key", "value", "runId");
