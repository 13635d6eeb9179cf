// The demo as a job (`demo.load`): the dashboard's "Load demo data" button queues it, a worker runs
// the same HTTP story as `mlops demo` against the instance's own URL with a temporary API key. The
// web process never trains, and the story goes through the API exactly as the CLI's does.
import { createApiKey, requireRole, revokeApiKey, type Actor } from "../auth";
import { db } from "../db";
import { conflict } from "../errors";
import { enqueue, PermanentJobError, type JobContext, type JobInfo } from "../jobs";
import { baseUrlSchema } from "./client";
import { runDemo, type DemoOptions, type DemoResult } from "./story";

export const DEMO_JOB = "demo.load";

/** Who creates and revokes the demo's temporary key (audited under this name). */
const DEMO_ACTOR: Actor = { kind: "user", id: "system:demo", label: "demo", role: "admin", userId: null };

/**
 * Runs `fn` with an editor API key that exists only for its duration: the CLI on the instance's
 * machine and the worker share the instance's database, so they need no key from the person.
 */
export async function withTemporaryKey<T>(fn: (key: string) => Promise<T>): Promise<T> {
  const { key, info } = await createApiKey({ name: `demo (temporary, ${new Date().toISOString()})`, role: "editor" }, null);
  try {
    return await fn(key);
  } finally {
    await revokeApiKey(DEMO_ACTOR, info.id).catch(() => undefined);
  }
}

/** Queues the demo (admins only); a demo already queued or running is returned instead of a second one. */
export async function enqueueDemo(actor: Actor, input: { baseUrl: string }): Promise<JobInfo> {
  requireRole(actor, "admin");
  const baseUrl = baseUrlSchema.parse(input.baseUrl);
  const running = await activeDemoJob();
  if (running) throw conflict(`The demo is already being loaded (job ${running})`, { job_id: running });
  return enqueue(DEMO_JOB, { baseUrl }, { maxAttempts: 1, createdById: actor.userId });
}

export async function demoJobHandler(ctx: JobContext, overrides: Partial<DemoOptions> = {}): Promise<DemoResult> {
  const parsed = baseUrlSchema.safeParse((ctx.job.payload as { baseUrl?: unknown } | null)?.baseUrl);
  if (!parsed.success) throw new PermanentJobError("The demo job needs the instance's URL (baseUrl)");
  let lastWrite = 0;
  return withTemporaryKey((apiKey) =>
    runDemo({
      baseUrl: parsed.data,
      apiKey,
      signal: ctx.signal,
      ...overrides,
      onProgress: (p) => {
        // At most two progress writes a second: the bar moves, the database is not hammered.
        const now = Date.now();
        if (now - lastWrite < 500 && p.fraction < 1) return;
        lastWrite = now;
        void ctx.progress(p.fraction, `${p.step}: ${p.message}`).catch(() => undefined);
      },
    }),
  );
}

/** The demo job being loaded right now (queued or running), for the overview page's progress bar. */
export async function activeDemoJob(): Promise<string | null> {
  const row = await db().job.findFirst({ where: { type: DEMO_JOB, state: { in: ["queued", "running"] } }, select: { id: true } });
  return row?.id ?? null;
}
