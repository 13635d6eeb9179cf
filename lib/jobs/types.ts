export const JOB_STATES = ["queued", "running", "succeeded", "dead", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobInfo {
  id: string;
  type: string;
  payload: unknown;
  state: JobState;
  priority: number;
  runAt: string;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  leaseUntil: string | null;
  progress: number;
  progressMessage: string | null;
  result: unknown;
  error: string | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface EnqueueOptions {
  priority?: number;
  runAt?: Date;
  maxAttempts?: number;
  createdById?: string | null;
}

/** What a handler sees while it runs a job. */
export interface JobContext {
  job: JobInfo;
  /** Aborted when the job is cancelled, its lease is lost, or the worker shuts down. */
  signal: AbortSignal;
  progress(fraction: number, message?: string): Promise<void>;
}

export type JobHandler = (ctx: JobContext) => Promise<unknown>;
