// Datasets: streaming CSV ingestion, schema inference, profiles, validation reports, versions by
// content SHA-256, training tables and seeded splits. See docs/datasets.md.
export {
  commitStaged,
  createDatasetVersion,
  datasetNameSchema,
  datasetUploadFields,
  discardStaged,
  getDataset,
  getDatasetVersion,
  getDatasetVersionById,
  listDatasets,
  MAX_PREVIEW_ROWS,
  openDatasetFile,
  previewDataset,
  readTable,
  retypeDatasetVersion,
  retypeInput,
  schemaOverridesSchema,
  stageUpload,
  uploadLimits,
  versionSelectorSchema,
  type CreateDatasetVersionInput,
  type CreateDatasetVersionResult,
  type DatasetUploadFields,
  type DatasetVersionRef,
} from "./datasets";
export { datasetsApi, listDatasetsQuery, previewQuery, uploadQuery } from "./api";
export { createDatasetVersionFromForm, uploadFieldsFrom, UPLOAD_TEXT_FIELDS, type FormPart } from "./form";
export { analyzeCsv, analyzeIngest, type AnalyzeOptions, type DatasetAnalysis } from "./analyze";
export { ingestCsv, type IngestLimits, type IngestOptions, type IngestResult } from "./ingest";
export { CATEGORICAL_MAX_LEVELS, CATEGORICAL_MAX_SHARE, CATEGORICAL_MIN_LEVELS, inferType } from "./infer";
export { splitIndices, type SplitIndices, type SplitLabels, type SplitOptions } from "./split";
export { mulberry32 } from "./prng";
export { DEFAULT_MAX_CELLS, readCsvTable, type ReadTableOptions } from "./table";
export { ArtifactDatasetStore, cleanStaging, datasetFilePath, datasetStore, STALE_STAGING_MS, type DatasetFileStore } from "./store";
export { csvCell, neutralizeFormula } from "./csv-cell";
export { MISSING_TOKENS, isMissing, parseBoolean, parseDatetime, parseNumber } from "./values";
export * from "./types";
