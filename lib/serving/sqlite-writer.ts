// SQLite writes of the prediction log on a worker thread. better-sqlite3 is synchronous and a
// 1,000-row batch into a table with five indexes takes about ten milliseconds: on the request
// thread that would stall every request in flight (the p99). The worker holds its own connection
// to the same file (WAL: readers and this writer do not block each other; other writers wait up to
// the busy timeout) and inserts each batch in one transaction.
//
// Batches arrive as the log rows themselves (structured clone), not as JSON text: cloning costs the
// request thread about half of JSON.stringify (numbers are copied, not formatted), and bound
// parameters of one prepared INSERT cost SQLite a third less than picking the rows out of a JSON
// document with json_each. The inputs are formatted to JSON here, off the request thread.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { LogRow } from "./log";

/** One row of the log: LogRow's values in order, inputs as JSON text and createdAt as Prisma's SQLite text. */
const SQLITE_INSERT = `INSERT INTO "PredictionLog" ("id", "modelId", "versionId", "arm", "abTestId", "unitId", "inputs", "output", "latencyMs", "createdAt")
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

// The worker's code as text (eval): no loader or compiled file needed wherever lib/ runs.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 15000 });
const insert = db.prepare(workerData.sql);
// createdAt as Prisma writes DateTime on SQLite (its comparisons, e.g. retention cleanup, rely on
// it): 2024-01-02T03:04:05.678+00:00. Rows of one millisecond share the text.
let lastMs = NaN;
let lastText = "";
function createdAt(ms) {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString().slice(0, 23) + "+00:00";
    lastMs = ms;
  }
  return lastText;
}
const run = db.transaction((rows) => {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    insert.run(r[0], r[1], r[2], r[3], r[4], r[5], JSON.stringify(r[6]) ?? "null", r[7], r[8], createdAt(r[9]));
  }
  return rows.length;
});
parentPort.on("message", ({ id, rows }) => {
  try {
    parentPort.postMessage({ id, rows: run(rows) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});`;

export class SqliteLogWriter {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (rows: number) => void; reject: (err: Error) => void }>();
  private dead: Error | null = null;

  constructor(file: string) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(SOURCE, { eval: true, workerData: { file, sql: SQLITE_INSERT, driver } });
    this.worker.unref();
    this.worker.on("message", (m: { id: number; rows?: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.rows ?? 0);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`prediction log writer exited (code ${code})`)));
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** Inserts one batch in one transaction; resolves with the rows written. */
  write(rows: readonly LogRow[]): Promise<number> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    // Referenced while a batch is out, so a shutdown that awaits the flush is not cut short.
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, rows });
    }).finally(() => {
      if (this.waiting.size === 0 && !this.dead) this.worker.unref();
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
