// The worker loop: claim, run the handler with a heartbeat, record the outcome.
// Used by workers/worker.ts and by tests (several runners in one process act as several workers).
import { hostname } from "node:os";
import { db, newId } from "../db";
import { inSpan, logger, metrics, runWithContext, SpanKind, SpanStatusCode, untraced, type Span } from "../observability";
import { claim, complete, fail, heartbeat, markCancelled, reapExpiredLeases, release, reportProgress } from "./queue";
import type { JobHandler, JobInfo } from "./types";

export interface RunnerOptions {
  handlers: Record<string, JobHandler>;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  id?: string;
  /**
   * Extra slots reserved for some job types, under the same worker id: jobs that only wait on other
   * jobs (the demo story) get a slot of their own, so they never hold the one the jobs they wait for need.
   */
  lanes?: { handlers: Record<string, JobHandler>; concurrency: number }[];
}

/** Thrown by a handler for a failure that retrying cannot fix (bad payload, missing data). */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

export class WorkerRunner {
  readonly id: string;
  private readonly handlers: Record<string, JobHandler>;
  private readonly concurrency: number;
  /** Job types each slot claims. */
  private readonly slotTypes: string[][];
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private stopping = false;
  private readonly active = new Map<string, AbortController>();
  private loops: Promise<void>[] = [];
  private beat: NodeJS.Timeout | null = null;
  // One waker per idle slot: stop() must wake all of them, not only the last one to go idle.
  private readonly wakers = new Set<() => void>();

  constructor(opts: RunnerOptions) {
    const lanes = opts.lanes ?? [];
    this.handlers = Object.assign({}, opts.handlers, ...lanes.map((l) => l.handlers));
    this.slotTypes = [
      ...Array.from({ length: opts.concurrency ?? 1 }, () => Object.keys(opts.handlers)),
      ...lanes.flatMap((l) => Array.from({ length: l.concurrency }, () => Object.keys(l.handlers))),
    ];
    this.concurrency = this.slotTypes.length;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 500;
    this.id = opts.id ?? `${hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  }

  async start(): Promise<void> {
    await db().worker.create({
      data: { id: this.id, hostname: hostname(), pid: process.pid, concurrency: this.concurrency },
    });
    this.beat = setInterval(() => {
      // Awaited inside: Prisma's query starts on then(), which must run in the untraced context.
      untraced(async () => {
        await db().worker.update({ where: { id: this.id }, data: { heartbeatAt: new Date() } });
      }).catch((err: unknown) => logger().warn({ err, workerId: this.id }, "worker heartbeat failed"));
    }, Math.max(1000, this.leaseMs / 3));
    this.loops = Array.from({ length: this.concurrency }, (_, i) => this.loop(i));
    logger().info({ workerId: this.id, concurrency: this.concurrency, types: Object.keys(this.handlers) }, "worker started");
  }

  /**
   * Graceful stop: no new claims; running jobs get `graceMs` to finish, then are released
   * back to the queue (without counting the attempt) and their handlers aborted.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    const finished = Promise.all(this.loops);
    let grace: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      finished.then(() => false),
      new Promise<boolean>((r) => (grace = setTimeout(() => r(true), graceMs))),
    ]);
    // A pending grace timer would keep the process alive for the whole period after a clean stop.
    clearTimeout(grace);
    if (timedOut) {
      for (const [jobId, ctl] of this.active) {
        ctl.abort(new Error("worker shutting down"));
        await release(jobId, this.id).catch(() => undefined);
      }
      await finished;
    }
    if (this.beat) clearInterval(this.beat);
    await db()
      .worker.update({ where: { id: this.id }, data: { stoppedAt: new Date() } })
      .catch(() => undefined);
    logger().info({ workerId: this.id }, "worker stopped");
  }

  private async loop(slot: number): Promise<void> {
    let lastReap = 0;
    while (!this.stopping) {
      try {
        if (slot === 0 && Date.now() - lastReap > Math.min(this.leaseMs, 5_000)) {
          lastReap = Date.now();
          const n = await untraced(() => reapExpiredLeases());
          if (n) logger().warn({ workerId: this.id, count: n }, "requeued jobs whose worker stopped responding");
        }
        // Idle polling is not traced (a trace every pollMs); the job itself is.
        const job = await untraced(() => claim(this.id, { leaseMs: this.leaseMs, types: this.slotTypes[slot]! }));
        if (job) {
          // Every log line written while the job runs (handlers and the lib code they call) carries
          // these fields; with tracing on, the job is one span with the handler's queries inside.
          const ctx = { jobId: job.id, jobType: job.type, attempt: job.attempts, workerId: this.id };
          const attributes = { "mlops.job.id": job.id, "mlops.job.type": job.type, "mlops.job.attempt": job.attempts, "mlops.worker.id": this.id };
          await runWithContext(ctx, () => inSpan(`job ${job.type}`, attributes, (span) => this.run(job, span), SpanKind.CONSUMER));
          continue;
        }
      } catch (err) {
        logger().error({ err, workerId: this.id }, "worker loop error");
      }
      // stop() may have been called while this slot was claiming: do not start a poll sleep then.
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          this.wakers.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, this.pollMs);
        this.wakers.add(wake);
      });
    }
  }

  private async run(job: JobInfo, span: Span | null): Promise<void> {
    const log = logger();
    const ctl = new AbortController();
    this.active.set(job.id, ctl);
    let cancelled = false;
    let lost = false;
    const hb = setInterval(async () => {
      try {
        const s = await heartbeat(job.id, this.id, this.leaseMs);
        if (!s.owned) {
          lost = true;
          ctl.abort(new Error("lease lost"));
        } else if (s.cancelRequested) {
          cancelled = true;
          ctl.abort(new Error("cancelled"));
        }
      } catch (err) {
        log.warn({ err }, "job heartbeat failed");
      }
    }, Math.max(200, Math.floor(this.leaseMs / 3)));
    const started = process.hrtime.bigint();
    let outcome = "succeeded";
    log.info("job started");
    try {
      const handler = this.handlers[job.type];
      if (!handler) throw new PermanentJobError(`No handler for job type '${job.type}'`);
      const result = await handler({
        job,
        signal: ctl.signal,
        progress: async (fraction, message) => {
          await reportProgress(job.id, this.id, fraction, message);
        },
      });
      if (cancelled) {
        outcome = "cancelled";
        await markCancelled(job.id, this.id);
      } else if (!lost) {
        await complete(job.id, this.id, result ?? null);
      }
      log.info({ outcome }, "job finished");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (cancelled) {
        outcome = "cancelled";
        await markCancelled(job.id, this.id);
      } else if (this.stopping && ctl.signal.aborted) {
        outcome = "released";
      } else if (!lost) {
        const state = await fail(job.id, this.id, message, { retry: !(err instanceof PermanentJobError) });
        outcome = state === "dead" ? "dead" : "failed";
      }
      log[outcome === "released" || outcome === "cancelled" ? "info" : "error"]({ err, outcome }, "job did not succeed");
      if (span && (outcome === "failed" || outcome === "dead")) {
        span.recordException(err instanceof Error ? err : new Error(message));
        span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
    } finally {
      clearInterval(hb);
      this.active.delete(job.id);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics().jobDuration.observe({ type: job.type, outcome }, seconds);
      span?.setAttribute("mlops.job.outcome", outcome);
    }
  }
}
