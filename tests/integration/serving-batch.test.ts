// Batch scoring: CSV upload through the REST route, the scoring job in a WorkerRunner with the
// worker's real handler, the streamed predictions CSV, and refused input.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as download from "@/app/api/v1/models/[name]/batch-predictions/[id]/download/route";
import * as one from "@/app/api/v1/models/[name]/batch-predictions/[id]/route";
import * as batches from "@/app/api/v1/models/[name]/batch-predictions/route";
import { resetConfig } from "@/lib/config";
import { WorkerRunner } from "@/lib/jobs";
import { predict as mlPredict, type TrainResult } from "@/lib/ml";
import { BATCH_JOB } from "@/lib/serving";
import { jobHandlers } from "@/workers/handlers";
import { makeApiKey, uid } from "../support/factories";
import { splitLine } from "../support/ml-table";
import { irisWithSite, registerTrained, trainSmall } from "../support/serving";
import { waitForJob } from "../support/wait";

type Handler = (req: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

let store: string;
const savedStore = process.env.ARTIFACT_STORE;
let trained: TrainResult;
let editor: string;
let viewer: string;
const NAME = `batch-${uid()}`;
const HEADER = "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),site,id";

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), "serving-batch-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  resetConfig();
  trained = await trainSmall(irisWithSite());
  await registerTrained(NAME, trained, { champion: true });
  editor = (await makeApiKey("editor")).key;
  viewer = (await makeApiKey("viewer")).key;
}, 120_000);

afterAll(() => {
  if (savedStore === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = savedStore;
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

function call(handler: Handler, path: string, params: Record<string, string>, init: { key: string; body?: string; type?: string }) {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key}` };
  if (init.type) headers["content-type"] = init.type;
  const req = new Request(`http://localhost${path}`, { method: init.body === undefined ? "GET" : "POST", headers, body: init.body });
  return handler(req, { params: Promise.resolve(params) });
}

async function runJobs(id: string) {
  const runner = new WorkerRunner({ handlers: { [BATCH_JOB]: jobHandlers()[BATCH_JOB]! }, pollMs: 50 });
  await runner.start();
  try {
    return await waitForJob(id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 60_000);
  } finally {
    await runner.stop();
  }
}

describe("batch scoring", () => {
  it("scores an uploaded CSV in the worker and streams back the predictions CSV", async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => [4.5 + (i % 30) / 10, 3 + (i % 7) / 10, 1 + (i % 50) / 10, 0.1 + (i % 20) / 10, ["north", "south", "east"][i % 3]!, `r${i}`]);
    const bad = [1.0, "tall", 2.0, 0.5, "north", "bad-row"];
    const csv = [HEADER, ...rows.map((r) => r.join(",")), bad.join(",")].join("\n") + "\n";
    const base = `/api/v1/models/${NAME}/batch-predictions`;
    const started = await call(batches.POST as Handler, `${base}?filename=scores.csv`, { name: NAME }, { key: editor, body: csv, type: "text/csv" });
    expect(started.status).toBe(202);
    const info = (await started.json()) as { id: string; version: string; state: string };
    expect(info).toMatchObject({ version: "1", state: "queued" });

    const job = await runJobs(info.id);
    expect(job.error).toBeNull();
    expect(job.state).toBe("succeeded");

    const status = (await (await call(one.GET as Handler, `${base}/${info.id}`, { name: NAME, id: info.id }, { key: viewer })).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ state: "succeeded", rows: 2501, failed_rows: 1, progress: 1 });
    const list = (await (await call(batches.GET as Handler, base, { name: NAME }, { key: viewer })).json()) as { batch_predictions: { id: string }[] };
    expect(list.batch_predictions.map((b) => b.id)).toContain(info.id);

    const res = await call(download.GET as Handler, `${base}/${info.id}/download`, { name: NAME, id: info.id }, { key: viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("scores-predictions-v1.csv");
    const lines = (await res.text()).trimEnd().split("\n");
    const header = splitLine(lines[0]!);
    expect(header).toEqual([...HEADER.split(","), "prediction", "proba_setosa", "proba_versicolor", "proba_virginica", "error"]);
    expect(lines).toHaveLength(2502);
    const features = HEADER.split(",").slice(0, 5);
    const sample = [0, 1, 999, 2499].map((i) => Object.fromEntries(features.map((f, j) => [f, rows[i]![j]])));
    const expected = mlPredict(trained.model, sample);
    if (expected.task !== "classification") throw new Error("classification expected");
    [0, 1, 999, 2499].forEach((i, k) => {
      const c = splitLine(lines[i + 1]!);
      expect(c[5]).toBe(`r${i}`);
      expect(c[6]).toBe(expected.labels[k]);
      expect(Number(c[7])).toBeCloseTo(expected.probabilities[k * 3]!, 6);
      expect(c[10]).toBe("");
    });
    const last = splitLine(lines[2501]!);
    expect(last[5]).toBe("bad-row");
    expect(last[6]).toBe("");
    expect(last[10]).toMatch(/sepal width.*number/);
  });

  it("refuses a viewer, an unknown model, and a CSV without the model's columns", async () => {
    const base = `/api/v1/models/${NAME}/batch-predictions`;
    expect((await call(batches.POST as Handler, base, { name: NAME }, { key: viewer, body: `${HEADER}\n1,2,3,4,north,x\n`, type: "text/csv" })).status).toBe(403);
    const ghost = `ghost-${uid()}`;
    expect((await call(batches.POST as Handler, base, { name: ghost }, { key: editor, body: `${HEADER}\n1,2,3,4,north,x\n`, type: "text/csv" })).status).toBe(404);
    expect((await call(batches.POST as Handler, `${base}?version=9`, { name: NAME }, { key: editor, body: `${HEADER}\n`, type: "text/csv" })).status).toBe(404);

    const started = await call(batches.POST as Handler, base, { name: NAME }, { key: editor, body: "a,b\n1,2\n", type: "text/csv" });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const job = await runJobs(id);
    expect(job.state).toBe("dead");
    expect(job.error).toMatch(/no column for feature/);
    const res = await call(download.GET as Handler, `${base}/${id}/download`, { name: NAME, id }, { key: viewer });
    expect(res.status).toBe(409);
  });
});
