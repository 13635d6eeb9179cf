// The prediction log's retention setting on SQLite and PostgreSQL: GET/PUT /api/v1/settings/prediction-retention
// (admin only, validated, audited), then predictions and feedback made through the serving fast path at
// two ages, and the worker's real cleanup job deleting only those older than the setting.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getRoute, PUT as putRoute } from "@/app/api/v1/settings/prediction-retention/route";
import { listAudit } from "@/lib/auth";
import { db } from "@/lib/db";
import { enqueue, MAINTENANCE_JOB, PREDICTION_RETENTION_KEY, WorkerRunner, type CleanupResult } from "@/lib/jobs";
import { flushPredictionLog } from "@/lib/serving";
import { jobHandlers } from "@/workers/handlers";
import { withTempArtifactStore } from "../support/artifact-store";
import { makeApiKey, uid } from "../support/factories";
import { irisWithSite, post, registerTrained, startServingServer, trainSmall, type TestServer } from "../support/serving";
import { waitForJob } from "../support/wait";

const DAY = 86_400_000;
const ROW = { "sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2, site: "north" };
const URL_PATH = "/api/v1/settings/prediction-retention";

let srv: TestServer;
withTempArtifactStore("retention-store");

beforeAll(async () => {
  srv = await startServingServer();
}, 120_000);

afterAll(async () => {
  vi.useRealTimers();
  await srv?.close();
  await flushPredictionLog();
  // Later files expect the default retention.
  await db().setting.deleteMany({ where: { key: PREDICTION_RETENTION_KEY } });
});

function call(handler: (req: Request) => Promise<Response>, key: string, method: string, body?: unknown) {
  return handler(
    new Request(`http://localhost${URL_PATH}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

describe("prediction log retention", () => {
  it("is read by anyone, set by admins only, validated and audited", async () => {
    const viewer = (await makeApiKey("viewer")).key;
    const editor = (await makeApiKey("editor")).key;
    const admin = (await makeApiKey("admin")).key;
    const before = await call(getRoute, viewer, "GET");
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({ days: 30, source: "default", updatedAt: null });

    expect((await call(putRoute, editor, "PUT", { days: 7 })).status).toBe(403);
    for (const [body, message] of [
      [{ days: 0 }, /at least 1 day/],
      [{ days: 2.5 }, /whole number of days/],
      [{ days: 4000 }, /at most 3650 days/],
      [{ days: "7" }, /number of days/],
      [{ days: 7, unit: "weeks" }, /unit/],
      [{}, /number of days/],
    ] as const) {
      const res = await call(putRoute, admin, "PUT", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await db().setting.count({ where: { key: PREDICTION_RETENTION_KEY } })).toBe(0);

    const put = await call(putRoute, admin, "PUT", { days: 7 });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ days: 7, source: "setting" });
    expect(await (await call(getRoute, viewer, "GET")).json()).toMatchObject({ days: 7, source: "setting" });
    const audit = await listAudit({ targetType: "setting", targetId: PREDICTION_RETENTION_KEY });
    expect(audit[0]).toMatchObject({ action: "settings.prediction_retention", details: { days: 7, previous: 30, previous_source: "default" } });
  });

  it("the cleanup job deletes predictions and feedback older than the setting and keeps the recent ones", async () => {
    const name = `retention-${uid()}`;
    await registerTrained(name, await trainSmall(irisWithSite()), { champion: true });
    const key = (await makeApiKey("viewer")).key;
    const admin = (await makeApiKey("admin")).key;
    expect((await call(putRoute, admin, "PUT", { days: 5 })).status).toBe(200);

    const predictAndFeedback = async (unit: string) => {
      const r = await post(srv.url, `/api/v1/models/${name}/predict`, { instances: [ROW, ROW], unit_id: unit }, key);
      expect(r.status).toBe(200);
      await flushPredictionLog();
      const ids = r.body!.prediction_ids as string[];
      const fb = await post(srv.url, "/api/v1/predictions/feedback", { prediction_id: ids[0], value: "setosa" }, key);
      expect(fb.status).toBe(201);
      return { ids, feedbackId: fb.body!.id as string };
    };
    // Eight days ago (only Date is faked: timers and I/O run as usual), then now.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 8 * DAY });
    const old = await predictAndFeedback(`old-${uid()}`);
    vi.useRealTimers();
    const recent = await predictAndFeedback(`new-${uid()}`);

    const oldRows = await db().predictionLog.findMany({ where: { id: { in: old.ids } } });
    expect(oldRows).toHaveLength(2);
    for (const r of oldRows) expect(Date.now() - r.createdAt.getTime()).toBeGreaterThan(7 * DAY);
    const oldFeedback = await db().feedback.findUniqueOrThrow({ where: { id: old.feedbackId } });
    expect(Date.now() - oldFeedback.createdAt.getTime()).toBeGreaterThan(7 * DAY);

    const job = await enqueue(MAINTENANCE_JOB, {}, { priority: 10 });
    const runner = new WorkerRunner({ handlers: { [MAINTENANCE_JOB]: jobHandlers()[MAINTENANCE_JOB]! }, pollMs: 50 });
    await runner.start();
    try {
      const done = await waitForJob(job.id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 60_000);
      expect(done.state).toBe("succeeded");
      const result = done.result as CleanupResult;
      // Predictions follow the setting; finished jobs keep the general retention (RETENTION_DAYS, 30 by default).
      expect(result).toMatchObject({ predictionRetentionDays: 5, retentionDays: 30 });
      expect(result.deleted.predictionLogs).toBeGreaterThanOrEqual(2);
      expect(result.deleted.feedback).toBeGreaterThanOrEqual(1);
    } finally {
      await runner.stop(1000);
    }
    expect(await db().predictionLog.count({ where: { id: { in: old.ids } } })).toBe(0);
    expect(await db().feedback.count({ where: { id: old.feedbackId } })).toBe(0);
    expect(await db().predictionLog.count({ where: { id: { in: recent.ids } } })).toBe(2);
    expect(await db().feedback.count({ where: { id: recent.feedbackId } })).toBe(1);
  }, 180_000);
});
