// Who the current work is for: a request id inside an HTTP request, a job id inside a job. Kept in an
// AsyncLocalStorage so every logger() call made anywhere below carries it (logger.ts's mixin) without
// passing loggers around.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Fields added to every log line written inside the context. */
export type LogContext = Readonly<Record<string, string | number>>;

// On globalThis: Next bundles its own copy of lib/, and its route handlers must see the store that
// server.ts entered for the request.
const g = globalThis as unknown as {
  __mlopsContext?: AsyncLocalStorage<LogContext>;
  __mlopsTraceFields?: (() => Record<string, string> | undefined) | null;
};
const store = (g.__mlopsContext ??= new AsyncLocalStorage<LogContext>());

export function runWithContext<T>(ctx: LogContext, fn: () => T): T {
  return store.run(ctx, fn);
}

export function currentContext(): LogContext | undefined {
  return store.getStore();
}

/** The request's own x-request-id (at most 100 printable characters) or a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const h = req.headers["x-request-id"];
  const given = typeof h === "string" ? h.slice(0, 100) : "";
  return given !== "" && /^[\x21-\x7e]+$/.test(given) ? given : randomUUID();
}

/** Set by tracing.ts while tracing is on: the active span's trace and span ids for log lines. */
export function setTraceFields(fn: (() => Record<string, string> | undefined) | null): void {
  g.__mlopsTraceFields = fn;
}

/** The log fields of the current context: a new object per call (pino merges into it). */
export function logFields(): Record<string, string | number> {
  const ctx = store.getStore();
  const trace = g.__mlopsTraceFields?.();
  if (!ctx) return trace ? { ...trace } : {};
  return trace ? { ...ctx, ...trace } : { ...ctx };
}
