// The prediction log: every prediction is appended to an in-memory buffer and written in batches
// (one transaction per FLUSH_ROWS rows: on SQLite by a worker thread, sqlite-writer.ts; on
// PostgreSQL one multi-row INSERT through the bulk path that skips Prisma's query compiler), every
// FLUSH_MS or as soon as a batch is full. flushPredictionLog() drains it; the server
// calls it on shutdown after the last response, so the log holds every prediction that was answered.
import { config } from "../config";
import { bulkTransaction, dbKindOf, sqlitePath, type DbKind } from "../db";
import { logger, metrics } from "../observability";
import { SqliteLogWriter } from "./sqlite-writer";

/** [id, modelId, versionId, arm, abTestId, unitId, inputs, output, latencyMs, createdAtMs] */
export type LogRow = [string, string, string, string | null, string | null, string | null, unknown, unknown, number, number];

const FLUSH_MS = 200;
const FLUSH_ROWS = 1_000;
/** Rows held while the database does not take them; past this the oldest are dropped (and counted). */
const MAX_PENDING = 200_000;

const COLUMNS = `("id", "modelId", "versionId", "arm", "abTestId", "unitId", "inputs", "output", "latencyMs", "createdAt")`;

function insertSql(kind: DbKind): string {
  if (kind === "postgres") {
    return `INSERT INTO "PredictionLog" ${COLUMNS}
      SELECT x->>0, x->>1, x->>2, x->>3, x->>4, x->>5, x->>6, x->>7, (x->>8)::float8,
        to_timestamp((x->>9)::float8 / 1000) AT TIME ZONE 'UTC'
      FROM jsonb_array_elements($1::jsonb) AS t(x)`;
  }
  // The text form Prisma writes for DateTime on SQLite, so its comparisons (retention cleanup) work.
  return `INSERT INTO "PredictionLog" ${COLUMNS}
    SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8,
      strftime('%Y-%m-%dT%H:%M:%f+00:00', (value->>9) / 1000.0, 'unixepoch')
    FROM json_each(?)`;
}

class PredictionLogBuffer {
  private rows: LogRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;

  add(row: LogRow): void {
    this.rows.push(row);
    if (this.rows.length >= FLUSH_ROWS) {
      if (!this.writing) void this.drain();
    } else if (!this.timer && !this.writing) {
      this.timer = setTimeout(() => void this.drain(), FLUSH_MS);
      this.timer.unref();
    }
  }

  get pending(): number {
    return this.rows.length;
  }

  /** Writes what is buffered now (and what arrives meanwhile) until the buffer is empty. */
  async flush(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.writing) await this.writing.catch(() => undefined);
      if (this.rows.length === 0) return;
      try {
        await this.drain(true);
      } catch (err) {
        if (attempt >= 4) throw err;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  private drain(rethrow = false): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing) return this.writing;
    const p = this.writeAll().then(
      () => {
        this.failures = 0;
      },
      (err: unknown) => {
        this.failures++;
        logger().warn({ err, pending: this.rows.length }, "prediction log: batch write failed; will retry");
        if (rethrow) throw err;
      },
    );
    this.writing = p.finally(() => {
      this.writing = null;
      if (this.rows.length > 0 && !this.timer) {
        // More arrived while writing, or the write failed: go again (backing off after failures).
        this.timer = setTimeout(() => void this.drain(), this.failures ? Math.min(FLUSH_MS * 2 ** this.failures, 10_000) : this.rows.length >= FLUSH_ROWS ? 0 : FLUSH_MS);
        this.timer.unref();
      }
    });
    return this.writing;
  }

  private writer: { url: string; writer: SqliteLogWriter } | null = null;

  /** SQLite: the worker-thread writer for the current database (null when it cannot run). */
  private sqliteWriter(url: string): SqliteLogWriter | null {
    if (this.writer?.url === url && this.writer.writer.alive) return this.writer.writer;
    void this.writer?.writer.close();
    this.writer = null;
    try {
      this.writer = { url, writer: new SqliteLogWriter(sqlitePath(url)) };
      return this.writer.writer;
    } catch (err) {
      logger().warn({ err }, "prediction log: no writer thread; writing on the request thread");
      return null;
    }
  }

  private async writeAll(): Promise<void> {
    const batch = this.rows;
    this.rows = [];
    let written = 0;
    try {
      const url = config().DATABASE_URL;
      const kind = dbKindOf(url);
      const writer = kind === "sqlite" ? this.sqliteWriter(url) : null;
      if (writer) {
        // One transaction per chunk: `written` says how far a failure got.
        for (; written < batch.length; written += FLUSH_ROWS) {
          await writer.write(written === 0 && batch.length <= FLUSH_ROWS ? batch : batch.slice(written, written + FLUSH_ROWS));
        }
      } else {
        const sql = insertSql(kind);
        const statements: { sql: string; args: unknown[] }[] = [];
        // JSON.stringify writes NaN and Infinity as null (JSON has neither), so no replacer is needed.
        for (let i = 0; i < batch.length; i += FLUSH_ROWS) statements.push({ sql, args: [JSON.stringify(batch.slice(i, i + FLUSH_ROWS))] });
        await bulkTransaction(statements);
      }
      written = batch.length;
      metrics().predictionsLogged.inc({ outcome: "written" }, batch.length);
    } catch (err) {
      written = Math.min(written, batch.length);
      if (written > 0) metrics().predictionsLogged.inc({ outcome: "written" }, written);
      // Put the unwritten rows back in front of what arrived meanwhile; drop the oldest past the cap.
      const merged = batch.slice(written).concat(this.rows);
      const over = merged.length - MAX_PENDING;
      if (over > 0) {
        merged.splice(0, over);
        metrics().predictionsLogged.inc({ outcome: "dropped" }, over);
        logger().error({ dropped: over }, "prediction log: buffer full, oldest rows dropped");
      }
      this.rows = merged;
      throw err;
    }
  }

}

const g = globalThis as unknown as { __mlopsPredictionLog?: PredictionLogBuffer };

/** One buffer per process (server.ts and Next's copy of this module share it). */
export function predictionLog(): PredictionLogBuffer {
  return (g.__mlopsPredictionLog ??= new PredictionLogBuffer());
}

/** Writes every buffered prediction; for shutdown and for readers that must see the latest rows. */
export function flushPredictionLog(): Promise<void> {
  return g.__mlopsPredictionLog ? g.__mlopsPredictionLog.flush() : Promise.resolve();
}
