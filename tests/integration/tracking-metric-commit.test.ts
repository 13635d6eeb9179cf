// METRICS_SYNCHRONOUS_COMMIT: on PostgreSQL a metrics-only batch may commit without waiting for the
// WAL flush; the points are stored all the same, and the pooled connection keeps its own setting.
import { afterAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { db, dbKind } from "@/lib/db";
import { createRun, getMetricHistory, logBatch } from "@/lib/tracking";

afterAll(() => {
  delete process.env.METRICS_SYNCHRONOUS_COMMIT;
  resetConfig();
});

const points = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `m${i % 3}`, value: i, step: i, timestamp: 1_700_000_000_000 + i }));

describe.each(["off", "on"])("METRICS_SYNCHRONOUS_COMMIT=%s", (mode) => {
  it("stores every point and leaves synchronous_commit of the connections as it was", async () => {
    process.env.METRICS_SYNCHRONOUS_COMMIT = mode;
    resetConfig();
    const run = await createRun(null, {});
    await logBatch(null, run.id, { metrics: points(300) });
    const history = await getMetricHistory(run.id, "m1");
    expect(history).toHaveLength(100);
    expect(history.at(-1)).toMatchObject({ value: 298, step: 298 });
    if (dbKind() === "postgres") {
      // Every pooled connection still commits synchronously for everything else.
      const settings = await Promise.all(
        Array.from({ length: 4 }, () => db().$queryRawUnsafe<{ s: string }[]>("SELECT current_setting('synchronous_commit') AS s")),
      );
      expect(settings.map((r) => r[0]!.s)).toEqual(["on", "on", "on", "on"]);
    }
  });
});

describe("a run's points and the run", () => {
  it("deleting runs deletes their points, and only theirs", async () => {
    const [gone1, gone2, kept] = await Promise.all([createRun(null, {}), createRun(null, {}), createRun(null, {})]);
    for (const run of [gone1, gone2, kept]) await logBatch(null, run.id, { metrics: points(30) });
    // A hard delete, as a database administrator would do it (the app only marks runs deleted).
    await db().$executeRawUnsafe(`DELETE FROM "Run" WHERE "id" IN (${dbKind() === "postgres" ? "$1, $2" : "?, ?"})`, gone1.id, gone2.id);
    const left = await db().metric.groupBy({ by: ["runId"], where: { runId: { in: [gone1.id, gone2.id, kept.id] } }, _count: true });
    expect(left).toEqual([{ runId: kept.id, _count: 30 }]);
  });

  it("a batch for a run that no longer exists stores nothing", async () => {
    const run = await createRun(null, {});
    await db().$executeRawUnsafe(`DELETE FROM "Run" WHERE "id" = ${dbKind() === "postgres" ? "$1" : "?"}`, run.id);
    await expect(logBatch(null, run.id, { metrics: points(10) })).rejects.toMatchObject({ code: "not_found" });
    expect(await db().metric.count({ where: { runId: run.id } })).toBe(0);
  });
});
