// Predict routes over real HTTP (the serving fast path in a node:http server) on SQLite and
// PostgreSQL: the three protocols, schema checks, auth and rate limit, aliases and promotion under
// traffic, A/B arms and shadow, the prediction log and feedback.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invalidateAssignmentCache } from "@/lib/abtest";
import { resetConfig } from "@/lib/config";
import { db, newId } from "@/lib/db";
import { predict as mlPredict, type Row, type TrainResult } from "@/lib/ml";
import { createRegisteredModel, promote, setModelAlias } from "@/lib/registry";
import { clearServingAuth, flushPredictionLog } from "@/lib/serving";
import { makeApiKey, uid } from "../support/factories";
import { loadSharedDataset } from "../support/ml-table";
import { get, irisWithSite, post, registerTrained, runningAbTest, startServingServer, trainSmall, type TestServer } from "../support/serving";

let store: string;
const savedStore = process.env.ARTIFACT_STORE;
let srv: TestServer;
let key: string;
let v1: TrainResult;
let v2: TrainResult;
const NAME = `iris-${uid()}`;

const ROWS: Row[] = [
  { "sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2, site: "north" },
  { "sepal length (cm)": 6.7, "sepal width (cm)": 3.0, "petal length (cm)": 5.2, "petal width (cm)": 2.3, site: "east" },
  { "sepal length (cm)": 5.9, "sepal width (cm)": 2.8, "petal length (cm)": 4.3, "petal width (cm)": 1.3, site: null },
];
const FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)", "site"];

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), "serving-store-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  process.env.PREDICT_RATE_LIMIT = "100000";
  resetConfig();
  const table = irisWithSite();
  v1 = await trainSmall(table, "target", 7);
  v2 = await trainSmall(table, "target", 8);
  await registerTrained(NAME, v1, { champion: true });
  await registerTrained(NAME, v2);
  key = (await makeApiKey("viewer")).key;
  srv = await startServingServer();
}, 120_000);

afterAll(async () => {
  await srv?.close();
  await flushPredictionLog();
  if (savedStore === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = savedStore;
  delete process.env.PREDICT_RATE_LIMIT;
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

const predictPath = (name = NAME, q = "") => `/api/v1/models/${encodeURIComponent(name)}/predict${q}`;

describe("POST /api/v1/models/{name}/predict", () => {
  it("serves the champion: labels, probabilities and ids equal to the model's own scoring", async () => {
    const r = await post(srv.url, predictPath(), { instances: ROWS }, key);
    expect(r.status).toBe(200);
    const expected = mlPredict(v1.model, ROWS);
    if (expected.task !== "classification") throw new Error("iris is a classification task");
    expect(r.body!.predictions).toEqual(expected.labels);
    expect(r.body!.model).toEqual({ name: NAME, version: "1" });
    expect(r.body!.arm).toBeUndefined();
    const k = expected.classes.length;
    r.body!.probabilities.forEach((row: number[], i: number) => {
      expect(row).toHaveLength(k);
      row.forEach((p, c) => expect(p).toBeCloseTo(expected.probabilities[i * k + c]!, 12));
    });
    expect(r.body!.prediction_ids).toHaveLength(3);
    expect(new Set(r.body!.prediction_ids).size).toBe(3);
  });

  it("takes rows as arrays in schema order with the same result", async () => {
    const arrays = ROWS.map((row) => FEATURES.map((f) => row[f]));
    const a = await post(srv.url, predictPath(), { instances: arrays }, key);
    const o = await post(srv.url, predictPath(), { instances: ROWS }, key);
    expect(a.status).toBe(200);
    expect(a.body!.probabilities).toEqual(o.body!.probabilities);
  });

  it("picks another version with ?version= and an alias with ?alias=", async () => {
    const byVersion = await post(srv.url, predictPath(NAME, "?version=2"), { instances: ROWS }, key);
    expect(byVersion.status).toBe(200);
    expect(byVersion.body!.model.version).toBe("2");
    const expected = mlPredict(v2.model, ROWS);
    if (expected.task !== "classification") throw new Error("classification expected");
    expect(byVersion.body!.probabilities[0][0]).toBeCloseTo(expected.probabilities[0]!, 12);

    await setModelAlias(null, NAME, "challenger", 2);
    const byAlias = await post(srv.url, predictPath(NAME, "?alias=challenger"), { instances: ROWS.slice(0, 1) }, key);
    expect(byAlias.status).toBe(200);
    expect(byAlias.body!.model.version).toBe("2");
  });

  it("answers 404 for an unknown model, alias or version, and 409 with what to do when there is no champion", async () => {
    expect((await post(srv.url, predictPath(`nope-${uid()}`), { instances: ROWS }, key)).status).toBe(404);
    const alias = await post(srv.url, predictPath(NAME, "?alias=nobody"), { instances: ROWS }, key);
    expect(alias.status).toBe(404);
    expect(alias.body!.error.code).toBe("not_found");
    expect((await post(srv.url, predictPath(NAME, "?version=99"), { instances: ROWS }, key)).status).toBe(404);
    expect((await post(srv.url, predictPath(NAME, "?version=abc"), { instances: ROWS }, key)).status).toBe(400);

    const bare = `bare-${uid()}`;
    await createRegisteredModel(null, { name: bare });
    const none = await post(srv.url, predictPath(bare), { instances: ROWS }, key);
    expect(none.status).toBe(409);
    expect(none.body!.error.message).toMatch(/no champion/);
    expect(none.body!.error.message).toMatch(/promote/i);
  });

  it("refuses rows that do not fit the schema with 422, listing each problem by row and field, and logs nothing", async () => {
    await flushPredictionLog();
    const before = await db().predictionLog.count({ where: { versionId: { not: "" } } });
    const bad = [
      { ...ROWS[0], "petal width (cm)": "wide" },
      { "sepal length (cm)": 5, "sepal width (cm)": 3, "petal length (cm)": 1, site: "north", colour: "red" },
      [1, 2, 3],
      "row",
    ];
    const r = await post(srv.url, predictPath(), { instances: bad }, key);
    expect(r.status).toBe(422);
    expect(r.body!.error.code).toBe("invalid");
    expect(r.body!.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 0, field: "petal width (cm)", message: expect.stringMatching(/number/) }),
        expect.objectContaining({ row: 1, field: "petal width (cm)", message: expect.stringMatching(/missing/) }),
        expect.objectContaining({ row: 1, field: "colour", message: expect.stringMatching(/not a feature/) }),
        expect.objectContaining({ row: 2, field: null, message: expect.stringMatching(/3 values.*5/) }),
        expect.objectContaining({ row: 3, field: null }),
      ]),
    );
    await flushPredictionLog();
    expect(await db().predictionLog.count({ where: { versionId: { not: "" } } })).toBe(before);
  });

  it("answers 422 for wrong body shapes and 400 for malformed JSON", async () => {
    expect((await post(srv.url, predictPath(), { rows: ROWS }, key)).status).toBe(422);
    expect((await post(srv.url, predictPath(), { instances: [] }, key)).status).toBe(422);
    expect((await post(srv.url, predictPath(), [ROWS[0]], key)).status).toBe(422);
    expect((await post(srv.url, predictPath(), { instances: ROWS, unit_id: {} }, key)).status).toBe(422);
    expect((await post(srv.url, predictPath(), undefined, key, "{not json")).status).toBe(400);
  });

  it("needs an API key (any role) and refuses unknown ones", async () => {
    expect((await post(srv.url, predictPath(), { instances: ROWS })).status).toBe(401);
    const r = await post(srv.url, predictPath(), { instances: ROWS }, `mlops_${"x".repeat(43)}`);
    expect(r.status).toBe(401);
    expect(r.body!.error.code).toBe("unauthenticated");
  });

  it("limits requests per key with 429 and Retry-After", async () => {
    process.env.PREDICT_RATE_LIMIT = "1";
    process.env.PREDICT_RATE_BURST = "2";
    resetConfig();
    clearServingAuth();
    try {
      const limited = (await makeApiKey("viewer")).key;
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const r = await post(srv.url, predictPath(), { instances: ROWS.slice(0, 1) }, limited);
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers.get("retry-after");
      }
      expect(statuses.slice(0, 2)).toEqual([200, 200]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // Other keys have their own budget.
      expect((await post(srv.url, predictPath(), { instances: ROWS.slice(0, 1) }, key)).status).toBe(200);
    } finally {
      process.env.PREDICT_RATE_LIMIT = "100000";
      delete process.env.PREDICT_RATE_BURST;
      resetConfig();
      clearServingAuth();
    }
  });
});

describe("KServe V1 and Open Inference Protocol V2", () => {
  it("KServe V1 :predict returns the same predictions", async () => {
    const r = await post(srv.url, `/v1/models/${NAME}:predict`, { instances: ROWS }, key);
    expect(r.status).toBe(200);
    const expected = mlPredict(v1.model, ROWS);
    if (expected.task !== "classification") throw new Error("classification expected");
    expect(r.body).toEqual({ predictions: expected.labels });
  });

  it("V2 infer takes one tensor per feature or one 2-D tensor", async () => {
    const perFeature = {
      id: "req-1",
      inputs: FEATURES.map((f) => ({
        name: f,
        shape: [ROWS.length],
        datatype: f === "site" ? "BYTES" : "FP64",
        data: ROWS.map((r) => r[f]),
      })),
    };
    const a = await post(srv.url, `/v2/models/${NAME}/infer`, perFeature, key);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ model_name: NAME, model_version: "1", id: "req-1" });
    const expected = mlPredict(v1.model, ROWS);
    if (expected.task !== "classification") throw new Error("classification expected");
    const predictOut = a.body!.outputs.find((o: { name: string }) => o.name === "predict");
    expect(predictOut).toEqual({ name: "predict", shape: [3], datatype: "BYTES", data: expected.labels });
    const proba = a.body!.outputs.find((o: { name: string }) => o.name === "predict_proba");
    expect(proba.shape).toEqual([3, 3]);
    expect(a.body!.parameters.prediction_ids).toHaveLength(3);

    const flat = ROWS.flatMap((r) => FEATURES.map((f) => r[f]));
    const b = await post(srv.url, `/v2/models/${NAME}/versions/2/infer`, { inputs: [{ name: "x", shape: [3, 5], datatype: "BYTES", data: flat }] }, key);
    expect(b.status).toBe(200);
    expect(b.body!.model_version).toBe("2");

    const wrong = await post(srv.url, `/v2/models/${NAME}/infer`, { inputs: [{ name: "x", shape: [2, 5], datatype: "FP64", data: [1, 2, 3] }] }, key);
    expect(wrong.status).toBe(422);
  });

  it("V2 metadata, readiness and health", async () => {
    const meta = await get(srv.url, `/v2/models/${NAME}`, key);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ name: NAME, versions: ["1"], platform: "mlops" });
    expect(meta.body!.inputs.map((i: { name: string }) => i.name)).toEqual(FEATURES);
    expect(meta.body!.inputs[4]).toEqual({ name: "site", datatype: "BYTES", shape: [-1, 1] });
    expect((await get(srv.url, `/v2/models/${NAME}/versions/2`, key)).body!.versions).toEqual(["2"]);
    expect(await get(srv.url, `/v2/models/${NAME}/ready`, key)).toEqual({ status: 200, body: { name: NAME, version: "1", ready: true } });
    expect((await get(srv.url, `/v2/models/nope-${uid()}/ready`, key)).status).toBe(404);
    expect((await get(srv.url, `/v2/models/${NAME}`)).status).toBe(401);
    expect(await get(srv.url, "/v2/health/live")).toEqual({ status: 200, body: { live: true } });
    expect(await get(srv.url, "/v2/health/ready")).toEqual({ status: 200, body: { ready: true } });
  });
});

describe("prediction log and feedback", () => {
  it("logs every prediction with version, unit, inputs, output and latency", async () => {
    const unit = `user-${uid()}`;
    const r = await post(srv.url, predictPath(), { instances: ROWS, unit_id: unit }, key);
    await flushPredictionLog();
    const rows = await db().predictionLog.findMany({ where: { id: { in: r.body!.prediction_ids } } });
    expect(rows).toHaveLength(3);
    const byId = new Map(rows.map((x) => [x.id, x]));
    r.body!.prediction_ids.forEach((id: string, i: number) => {
      const row = byId.get(id)!;
      expect(row.unitId).toBe(unit);
      expect(row.arm).toBeNull();
      expect(JSON.parse(row.inputs)).toEqual(ROWS[i]);
      expect(JSON.parse(row.output)).toBe(r.body!.predictions[i]);
      expect(row.latencyMs).toBeGreaterThan(0);
      expect(Math.abs(row.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    });
  });

  it("records feedback by prediction id or unit id; unknown ones are 404; bad bodies 400", async () => {
    const unit = `user-${uid()}`;
    const r = await post(srv.url, predictPath(), { instances: ROWS.slice(0, 1), unit_id: unit }, key);
    const id = r.body!.prediction_ids[0];
    // Straight after the prediction: it may still be in the log buffer.
    const f = await post(srv.url, "/api/v1/predictions/feedback", { prediction_id: id, value: "setosa" }, key);
    expect(f.status).toBe(201);
    expect(f.body).toMatchObject({ prediction_id: id, unit_id: unit, value: "setosa" });
    const stored = await db().feedback.findUnique({ where: { id: f.body!.id } });
    expect(stored).toMatchObject({ predictionId: id, unitId: unit, value: '"setosa"', numericValue: null });

    const conv = await post(srv.url, "/api/v1/predictions/feedback", { unit_id: unit, value: 1 }, key);
    expect(conv.status).toBe(201);
    expect((await db().feedback.findUnique({ where: { id: conv.body!.id } }))!.numericValue).toBe(1);

    expect((await post(srv.url, "/api/v1/predictions/feedback", { prediction_id: newId(), value: 1 }, key)).status).toBe(404);
    expect((await post(srv.url, "/api/v1/predictions/feedback", { unit_id: `nobody-${uid()}`, value: 1 }, key)).status).toBe(404);
    const count = await db().feedback.count();
    for (const body of [{ value: 1 }, { prediction_id: id }, { prediction_id: id, unit_id: unit, value: 1 }, { prediction_id: id, value: { a: 1 } }]) {
      const bad = await post(srv.url, "/api/v1/predictions/feedback", body, key);
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect((await post(srv.url, "/api/v1/predictions/feedback", { prediction_id: id, value: 1 })).status).toBe(401);
    expect(await db().feedback.count()).toBe(count);
  });
});

describe("promotion and A/B tests", () => {
  it("moves the champion under traffic with zero failed requests", async () => {
    const name = `promo-${uid()}`;
    await registerTrained(name, v1, { champion: true });
    await registerTrained(name, v2);
    const seen: string[] = [];
    const failures: number[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        const r = await post(srv.url, predictPath(name), { instances: ROWS.slice(0, 1) }, key);
        if (r.status !== 200) failures.push(r.status);
        else seen.push(r.body!.model.version);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 300));
    await promote(null, name, 2);
    // The new champion serves within about a second (the alias cache's lifetime) plus a refresh.
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && seen.at(-1) !== "2") await new Promise((r) => setTimeout(r, 50));
    const switchedAt = seen.length;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(seen).toContain("1");
    expect(seen.at(-1)).toBe("2");
    // Once switched, it stays switched.
    expect(seen.slice(switchedAt).every((v) => v === "2")).toBe(true);
  });

  it("serves the arm of a running A/B test, sticky per unit, and logs the shadow without returning it", async () => {
    const name = `ab-${uid()}`;
    await registerTrained(name, v1, { champion: true });
    await registerTrained(name, v2);
    await registerTrained(name, v2);
    const model = await db().registeredModel.findUniqueOrThrow({ where: { name }, include: { versions: true } });
    const vid = (n: number) => model.versions.find((v) => v.version === n)!.id;
    const testId = await runningAbTest(name, [
      { name: "control", version: 1, weight: 50 },
      { name: "treatment", version: 2, weight: 50 },
      { name: "shadow", version: 3, weight: 0, shadow: true },
    ]);
    const arms = new Map<string, { arm: string; version: string }>();
    for (let u = 0; u < 40; u++) {
      const r = await post(srv.url, predictPath(name), { instances: ROWS.slice(0, 1), unit_id: `u${u}` }, key);
      expect(r.status).toBe(200);
      expect(["control", "treatment"]).toContain(r.body!.arm);
      expect(r.body!.model.version).toBe(r.body!.arm === "control" ? "1" : "2");
      arms.set(`u${u}`, { arm: r.body!.arm, version: r.body!.model.version });
    }
    expect(new Set([...arms.values()].map((a) => a.arm)).size).toBe(2);
    // Sticky: the same unit gets the same arm again.
    for (const u of ["u1", "u2", "u3"]) {
      const r = await post(srv.url, predictPath(name), { instances: ROWS.slice(0, 1), unit_id: u }, key);
      expect(r.body!.arm).toBe(arms.get(u)!.arm);
    }
    // An explicit version bypasses the test.
    const pinned = await post(srv.url, predictPath(name, "?version=3"), { instances: ROWS.slice(0, 1), unit_id: "u1" }, key);
    expect(pinned.body!.arm).toBeUndefined();

    await new Promise((r) => setTimeout(r, 50));
    await flushPredictionLog();
    const logged = await db().predictionLog.groupBy({ by: ["arm"], where: { abTestId: testId }, _count: true });
    const counts = Object.fromEntries(logged.map((l) => [l.arm, l._count]));
    expect((counts.control ?? 0) + (counts.treatment ?? 0)).toBe(43);
    expect(counts.shadow).toBe(43);
    const shadowRow = await db().predictionLog.findFirstOrThrow({ where: { abTestId: testId, arm: "shadow" } });
    expect(shadowRow.versionId).toBe(vid(3));
    await db().abTest.update({ where: { id: testId }, data: { state: "stopped" } });
    invalidateAssignmentCache(model.id);
  });

  it("serves a regression model (numbers, no probabilities) through all protocols", async () => {
    const name = `diabetes-${uid()}`;
    const trained = await trainSmall(loadSharedDataset("diabetes"));
    await registerTrained(name, trained, { champion: true });
    const features = trained.manifest.signature.inputs.map((i) => i.name);
    const row = Object.fromEntries(features.map((f, i) => [f, 0.01 * (i + 1)]));
    const r = await post(srv.url, predictPath(name), { instances: [row] }, key);
    expect(r.status).toBe(200);
    expect(r.body!.probabilities).toBeUndefined();
    const expected = mlPredict(trained.model, [row]);
    if (expected.task !== "regression") throw new Error("regression expected");
    expect(r.body!.predictions[0]).toBeCloseTo(expected.values[0]!, 9);
    const v2r = await post(srv.url, `/v2/models/${name}/infer`, { inputs: [{ name: "x", shape: [1, features.length], datatype: "FP64", data: features.map((f) => row[f]) }] }, key);
    expect(v2r.body!.outputs).toEqual([{ name: "predict", shape: [1], datatype: "FP64", data: r.body!.predictions }]);
  });
});
