// A small client of the instance's REST API for the demo: bearer key, JSON in and out, errors that
// say which request failed and what the server answered, and a job poller.
import { z } from "zod";

export class DemoRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "DemoRequestError";
  }
}

export interface JobView {
  id: string;
  type: string;
  state: "queued" | "running" | "succeeded" | "dead" | "cancelled";
  progress: number;
  progressMessage: string | null;
  result: unknown;
  error: string | null;
}

export const baseUrlSchema = z
  .string()
  .trim()
  .url("The instance URL is an http:// or https:// address, e.g. http://localhost:3000")
  .refine((u) => /^https?:$/.test(new URL(u).protocol), "The instance URL is an http:// or https:// address")
  .transform((u) => u.replace(/\/+$/, ""));

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** `body` as a string is sent as CSV; anything else as JSON. Missing (404) is `null` when `allow404`. */
  async request<T>(method: string, path: string, body?: unknown, opts: { allow404?: boolean } = {}): Promise<T> {
    this.signal?.throwIfAborted();
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}` };
    let payload: string | undefined;
    if (typeof body === "string") {
      headers["content-type"] = "text/csv";
      payload = body;
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: this.signal });
    } catch (err) {
      if (this.signal?.aborted) throw err;
      throw new DemoRequestError(`Cannot reach ${this.baseUrl} (${(err as Error).message}). Is the instance running (npx mlops start)?`, 0);
    }
    const text = await res.text();
    if (res.status === 404 && opts.allow404) return null as T;
    if (!res.ok) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON: keep the text
      }
      const hint = res.status === 401 ? " (check the API key)" : res.status === 403 ? " (the demo needs an editor or admin API key)" : "";
      throw new DemoRequestError(`${method} ${path} answered ${res.status}: ${message}${hint}`, res.status);
    }
    return (text ? JSON.parse(text) : null) as T;
  }

  get<T>(path: string, opts?: { allow404?: boolean }): Promise<T> {
    return this.request<T>("GET", path, undefined, opts);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body ?? {});
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  /** Polls a job until it ends; `onTick` sees it each time. A dead or cancelled job throws with its error. */
  async waitJob(id: string, onTick?: (job: JobView) => void, timeoutMs = 150_000): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.get<JobView>(`/api/v1/jobs/${id}`);
      onTick?.(job);
      if (job.state === "succeeded") return job;
      if (job.state === "dead" || job.state === "cancelled") throw new Error(`Job ${job.type} ${id} ended ${job.state}: ${job.error ?? "no error recorded"}`);
      if (Date.now() > deadline) {
        const hint = job.state === "queued" ? " It is still queued: is a worker running (npx mlops worker)?" : "";
        throw new Error(`Job ${job.type} ${id} did not finish within ${timeoutMs / 1000} s.${hint}`);
      }
      await new Promise((r) => setTimeout(r, 300));
      this.signal?.throwIfAborted();
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
