// SQLite writes of the prediction log on a worker thread. better-sqlite3 is synchronous and a
// 1,000-row batch into a table with five indexes takes tens of milliseconds: on the request thread
// that would stall every request in flight (the p99). The worker holds its own connection to the
// same file (WAL: readers and this writer do not block each other; other writers wait up to the
// busy timeout) and runs one INSERT … SELECT FROM json_each(?) per batch in a transaction.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// The worker's code as text (eval): no loader or compiled file needed wherever lib/ runs.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 15000 });
const insert = db.prepare(workerData.sql);
const run = db.transaction((json) => insert.run(json).changes);
parentPort.on("message", ({ id, json }) => {
  try {
    parentPort.postMessage({ id, rows: run(json) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});`;

export class SqliteLogWriter {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (rows: number) => void; reject: (err: Error) => void }>();
  private dead: Error | null = null;

  constructor(file: string, sql: string) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(SOURCE, { eval: true, workerData: { file, sql, driver } });
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

  /** Inserts one batch (a JSON array of log rows); resolves with the rows written. */
  write(json: string): Promise<number> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    // Referenced while a batch is out, so a shutdown that awaits the flush is not cut short.
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, json });
    }).finally(() => {
      if (this.waiting.size === 0 && !this.dead) this.worker.unref();
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
