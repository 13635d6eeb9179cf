import pino, { type Logger } from "pino";
import { config } from "../config";

let root: Logger | null = null;

/** JSON logs by default, pretty when LOG_PRETTY is set (npm run dev). */
export function logger(): Logger {
  if (!root) {
    const c = config();
    root = pino({
      level: c.LOG_LEVEL,
      base: { pid: process.pid, service: process.env.MLOPS_PROCESS ?? "mlops" },
      transport: c.LOG_PRETTY ? { target: "pino-pretty", options: { colorize: true } } : undefined,
    });
  }
  return root;
}
