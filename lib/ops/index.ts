// Operations: backup/restore of the embedded installation, the health check of a running instance.
// The manifest tools (./kustomize, ./manifests) are imported directly by the deploy command and
// the tests: they need `yaml`, a development dependency absent from the production image.
export { backup, defaultBackupName, restore, type BackupManifest, type BackupResult, type Installation, type RestoreResult } from "./backup";
export { checkHealth, formatHealth, normalizeUrl, type HealthCheck, type HealthOptions, type HealthReport } from "./health-check";
export { readTar, TarWriter, type TarEntry } from "./tar";
