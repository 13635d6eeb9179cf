import pino, { type DestinationStream, type Logger } from "pino";
import { config } from "../config";
import { logFields } from "./context";

let root: Logger | null = null;
let destination: DestinationStream | undefined;

/**
 * JSON logs by default, pretty when LOG_PRETTY is set (npm run dev). Every line written inside a
 * request or a job carries its requestId or jobId (and traceId/spanId while tracing is on).
 */
export function logger(): Logger {
  if (!root) {
    const c = config();
    const options = {
      level: c.LOG_LEVEL,
      base: { pid: process.pid, service: process.env.MLOPS_PROCESS ?? "mlops" },
      mixin: logFields,
    };
    root = destination
      ? pino(options, destination)
      : pino({ ...options, transport: c.LOG_PRETTY ? { target: "pino-pretty", options: { colorize: true } } : undefined });
  }
  return root;
}

/** For tests: the next logger() writes to `dest` (undefined = stdout again) with the current LOG_LEVEL. */
export function resetLogger(dest?: DestinationStream): void {
  root = null;
  destination = dest;
}
