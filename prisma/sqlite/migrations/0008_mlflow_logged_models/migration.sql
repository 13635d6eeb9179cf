-- CreateTable
CREATE TABLE "RunDatasetInput" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "sourceType" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "schema" TEXT,
    "profile" TEXT,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "datasetVersionId" TEXT,
    "createdAt" BIGINT NOT NULL,
    CONSTRAINT "RunDatasetInput_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RunDatasetInput_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoggedModel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "experimentId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "modelType" TEXT,
    "sourceRunId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'LOGGED_MODEL_PENDING',
    "statusMessage" TEXT,
    "artifactUri" TEXT NOT NULL,
    "lifecycleStage" TEXT NOT NULL DEFAULT 'active',
    "createdById" TEXT,
    "createdAt" BIGINT NOT NULL,
    "updatedAt" BIGINT NOT NULL,
    CONSTRAINT "LoggedModel_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoggedModelParam" (
    "modelId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("modelId", "key"),
    CONSTRAINT "LoggedModelParam_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "LoggedModel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoggedModelTag" (
    "modelId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("modelId", "key"),
    CONSTRAINT "LoggedModelTag_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "LoggedModel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RunLoggedModel" (
    "runId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "step" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("runId", "modelId", "direction"),
    CONSTRAINT "RunLoggedModel_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RunLoggedModel_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "LoggedModel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "RunDatasetInput_runId_name_digest_key" ON "RunDatasetInput"("runId", "name", "digest");

-- CreateIndex
CREATE INDEX "LoggedModel_experimentId_createdAt_idx" ON "LoggedModel"("experimentId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "LoggedModel_sourceRunId_idx" ON "LoggedModel"("sourceRunId");

-- CreateIndex
CREATE INDEX "RunLoggedModel_modelId_idx" ON "RunLoggedModel"("modelId");

