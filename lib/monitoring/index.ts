// Model monitoring: drift reports as jobs (on demand and on a schedule), prediction and performance
// drift, alerts in the app and by signed webhook, and drift-triggered retraining. See docs/drift.md.
export {
  cronSchema,
  monitorConfigSchema,
  monitorInputSchema,
  PERFORMANCE_METRICS,
  retrainPolicySchema,
  windowSchema,
  type MonitorConfig,
  type MonitorInput,
  type ReportWindow,
  type RetrainPolicy,
} from "./config";
export { deleteMonitor, getMonitor, listMonitors, modelByName, upsertMonitor, type MonitorInfo } from "./monitors";
export {
  DRIFT_REPORT_JOB,
  driftReportJobHandler,
  getDriftReport,
  listDriftReports,
  reportRequestSchema,
  requestDriftReport,
  requestCsvDriftReport,
  runDriftReport,
  type DriftReportDetail,
  type DriftReportInfo,
  type ReportRequest,
  type StoredReportResult,
} from "./reports";
export { PerformanceAccumulator, type PerformanceMetric, type PerformanceResult } from "./performance";
export { inputsOf, predictionOf } from "./predictions";
export {
  acknowledgeAlert,
  listAlerts,
  raiseAlert,
  signBody,
  SIGNATURE_HEADER,
  WEBHOOK_ATTEMPTS,
  WEBHOOK_JOB,
  webhookJobHandler,
  type AlertInfo,
  type AlertKind,
} from "./alerts";
export { evaluateRetraining, listRetrainings, MONITOR_ACTOR, RETRAIN_FOLLOWUP_JOB, retrainFollowupHandler, type RetrainOutcome } from "./retrain";
export { dueSlot, startMonitorScheduler, tickMonitorSchedules } from "./schedule";

import type { JobHandler } from "../jobs";
import { webhookJobHandler as webhook, WEBHOOK_JOB as WEBHOOK } from "./alerts";
import { DRIFT_REPORT_JOB as REPORT, driftReportJobHandler as report } from "./reports";
import { RETRAIN_FOLLOWUP_JOB as FOLLOWUP, retrainFollowupHandler as followup } from "./retrain";

/** The job types of this module, for the worker's handler table. */
export function monitoringJobHandlers(): Record<string, JobHandler> {
  return { [REPORT]: report, [WEBHOOK]: webhook, [FOLLOWUP]: followup };
}
export { alertsQuery, monitoringApi, reportsQuery } from "./api";
export { driftHistory, driftOverview, type ModelDriftSummary } from "./overview";
