// Polling helpers for tests that watch the database change. The timeout is a safety net that
// turns a hang into a readable failure, not an assertion about speed.
import { randomUUID } from "node:crypto";
import { getJob, type JobInfo } from "@/lib/jobs";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 45_000);
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${opts.what ?? "a condition"}; last value: ${JSON.stringify(value)}`);
    }
    await sleep(opts.intervalMs ?? 25);
  }
}

export function waitForJob(id: string, ok: (job: JobInfo) => boolean, what: string, timeoutMs?: number) {
  return waitFor(() => getJob(id), ok, { what: `job ${id} ${what}`, timeoutMs });
}

/** A job type no other test uses, so no other runner claims its jobs. */
export const jobType = () => `test.${randomUUID().slice(0, 12)}`;

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export function gate<T = void>() {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

/** Resolves when the signal aborts, rejecting with its reason (what a well-behaved handler does). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
