import { beforeAll, describe, expect, it } from "vitest";
import * as listRoute from "@/app/api/v1/ab-tests/route";
import * as oneRoute from "@/app/api/v1/ab-tests/[id]/route";
import * as startRoute from "@/app/api/v1/ab-tests/[id]/start/route";
import * as pauseRoute from "@/app/api/v1/ab-tests/[id]/pause/route";
import * as stopRoute from "@/app/api/v1/ab-tests/[id]/stop/route";
import * as analysisRoute from "@/app/api/v1/ab-tests/[id]/analysis/route";
import * as promoteRoute from "@/app/api/v1/ab-tests/[id]/promote/route";
import { assignArm, createAbTest, startAbTest, type AbTest, type Analysis } from "@/lib/abtest";
import { compareProportions, compareMeans } from "@/lib/abtest/stats";
import { listAudit } from "@/lib/auth";
import { bulkTransaction, db, dbKind, newId } from "@/lib/db";
import { createModelVersion, createRegisteredModel, getRegisteredModel, promote } from "@/lib/registry";
import { makeApiKey, uid } from "../support/factories";

type Handler = (req: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, path: string, o: { key?: string; body?: unknown; params?: Record<string, string>; method?: string } = {}) {
  const headers: Record<string, string> = {};
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  if (body) headers["content-type"] = "application/json";
  const req = new Request(`http://localhost${path}`, { method: o.method ?? (body === undefined ? "GET" : "POST"), headers, body });
  const res = await handler(req, { params: Promise.resolve(o.params ?? {}) });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: text ? (JSON.parse(text) as any) : null };
}

let editor: string;
let viewer: string;

beforeAll(async () => {
  const [e, v] = await Promise.all([makeApiKey("editor"), makeApiKey("viewer")]);
  editor = e.key;
  viewer = v.key;
});

/** A registered model with `n` versions; champion → v1, challenger → v2. */
async function model(n = 3) {
  const m = await createRegisteredModel(null, { name: `ab-${uid()}` });
  for (let i = 0; i < n; i++) await createModelVersion(null, m.name, { source: `s-${i}` });
  await promote(null, m.name, 1);
  await promote(null, m.name, 2, { alias: "challenger" });
  return m;
}

const testCount = async (modelId: string) => db().abTest.count({ where: { modelId } });

function body(modelName: string, extra: Record<string, unknown> = {}) {
  return {
    name: "checkout button",
    model: modelName,
    arms: [
      { name: "A", alias: "champion", weight: 50 },
      { name: "B", alias: "challenger", weight: 50 },
    ],
    metric: { kind: "conversion" },
    min_samples: 200,
    ...extra,
  };
}

/** Multi-row INSERTs through the bulk path (Prisma's createMany is slow for thousands of rows). */
async function insertRows(table: string, columns: string[], rows: unknown[][]) {
  const pg = dbKind() === "postgres";
  const statements = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    let k = 0;
    const values = chunk.map((r) => `(${r.map(() => (pg ? `$${++k}` : "?")).join(", ")})`).join(", ");
    statements.push({ sql: `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${values}`, args: chunk.flat() });
  }
  await bulkTransaction(statements);
}

/**
 * Seeds the prediction log and feedback the serving path writes: `n` predictions of one arm spread
 * over `hours` hours, each with its own unit, fed back by prediction id (every third by unit id
 * alone); `outcome` null leaves a prediction without feedback.
 */
async function seed(test: AbTest, arm: string, n: number, outcome: (i: number) => number | string | null, opts: { hours?: number; output?: (i: number) => string } = {}) {
  const a = test.arms.find((x) => x.name === arm) ?? { version_id: test.shadow!.version_id };
  const start = Date.UTC(2026, 0, 5, 8);
  const pg = dbKind() === "postgres";
  const at = (ms: number) => (pg ? new Date(ms) : new Date(ms).toISOString());
  const preds = Array.from({ length: n }, (_, i) => ({
    id: newId(),
    unitId: `${arm}-${uid()}-${i}`,
    output: opts.output ? opts.output(i) : "1",
    createdAt: at(start + Math.floor((i * (opts.hours ?? 4)) / n) * 3_600_000 + 1000),
  }));
  await insertRows(
    "PredictionLog",
    ["id", "modelId", "versionId", "arm", "abTestId", "unitId", "inputs", "output", "latencyMs", "createdAt"],
    preds.map((p) => [p.id, test.model_id, a.version_id, arm, test.id, p.unitId, "{}", p.output, arm === "B" ? 2 : 1, p.createdAt]),
  );
  const fb = preds.flatMap((p, i) => {
    const v = outcome(i);
    if (v === null) return [];
    const byUnit = i % 3 === 0;
    return [[newId(), byUnit ? null : p.id, p.unitId, JSON.stringify(v), typeof v === "number" ? v : null, at(Date.now())]];
  });
  await insertRows("Feedback", ["id", "predictionId", "unitId", "value", "numericValue", "createdAt"], fb);
  return preds;
}

describe("A/B test API: validation changes nothing", () => {
  it("refuses weights not summing to 100, missing versions, bad kinds; 404 for an unknown model; 403 for viewers", async () => {
    const m = await model();
    const bad = [
      { ...body(m.name), arms: [{ name: "A", version: 1, weight: 60 }, { name: "B", version: 2, weight: 30 }] },
      { ...body(m.name), arms: [{ name: "A", version: 1, weight: 50 }, { name: "B", version: 9, weight: 50 }] },
      { ...body(m.name), arms: [{ name: "A", alias: "nope", weight: 50 }, { name: "B", version: 2, weight: 50 }] },
      { ...body(m.name), arms: [{ name: "A", version: 1, alias: "champion", weight: 50 }, { name: "B", version: 2, weight: 50 }] },
      { ...body(m.name), shadow: { version: 7 } },
      { ...body(m.name), metric: { kind: "revenue" } },
      { ...body(m.name), arms: [{ name: "A", version: 1, weight: 100 }] },
    ];
    for (const b of bad) {
      const r = await call(listRoute.POST, "/api/v1/ab-tests", { key: editor, body: b });
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(r.body.error.message).toEqual(expect.any(String));
    }
    const weights = await call(listRoute.POST, "/api/v1/ab-tests", { key: editor, body: bad[0] });
    expect(weights.body.error.message).toMatch(/sum to 100/);
    const missing = await call(listRoute.POST, "/api/v1/ab-tests", { key: editor, body: bad[1] });
    expect(missing.body.error.message).toMatch(/has no version 9/);
    expect((await call(listRoute.POST, "/api/v1/ab-tests", { key: editor, body: body(`missing-${uid()}`) })).status).toBe(404);
    expect((await call(listRoute.POST, "/api/v1/ab-tests", { key: viewer, body: body(m.name) })).status).toBe(403);
    expect(await testCount(m.id)).toBe(0);
  });

  it("creates a draft that pins alias targets to versions; lists and gets it", async () => {
    const m = await model();
    const r = await call(listRoute.POST, "/api/v1/ab-tests", { key: editor, body: body(m.name, { shadow: { version: 3 } }) });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      state: "draft",
      model: m.name,
      metric: { kind: "conversion" },
      arms: [
        { name: "A", version: 1, weight: 50 },
        { name: "B", version: 2, weight: 50 },
      ],
      shadow: { version: 3 },
      min_samples: 200,
    });
    const one = await call(oneRoute.GET, `/api/v1/ab-tests/${r.body.id}`, { key: viewer, params: { id: r.body.id } });
    expect(one.body.id).toBe(r.body.id);
    const list = await call(listRoute.GET, `/api/v1/ab-tests?model=${encodeURIComponent(m.name)}`, { key: viewer });
    expect(list.body.ab_tests.map((t: AbTest) => t.id)).toEqual([r.body.id]);
    expect((await call(oneRoute.GET, "/api/v1/ab-tests/nope", { key: viewer, params: { id: "nope" } })).status).toBe(404);
    expect((await listAudit({ targetType: "ab_test", targetId: r.body.id })).map((e) => e.action)).toEqual(["ab_test.create"]);
  });
});

describe("A/B test lifecycle and assignment", () => {
  it("start → assignment by arm weights, sticky per unit; a second running test on the model is refused; pause stops assignment", async () => {
    const m = await model();
    const t1 = await createAbTest(body(m.name), null);
    const t2 = await createAbTest(body(m.name, { name: "second" }), null);
    expect(await assignArm(m.id, "u1")).toBeNull();
    const started = await call(startRoute.POST, "", { key: editor, params: { id: t1.id } });
    expect(started.body.state).toBe("running");
    const a = await assignArm(m.id, "user-1");
    expect(a).toMatchObject({ testId: t1.id, arm: expect.stringMatching(/^[AB]$/) });
    for (let i = 0; i < 10; i++) expect((await assignArm(m.id, "user-1"))!.arm).toBe(a!.arm);
    const versions = new Set<string>();
    for (let i = 0; i < 200; i++) versions.add((await assignArm(m.id, `u-${i}`))!.version);
    expect(versions).toEqual(new Set(["1", "2"]));

    const refused = await call(startRoute.POST, "", { key: editor, params: { id: t2.id } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/already has a running A\/B test/);
    expect((await call(oneRoute.GET, "", { key: viewer, params: { id: t2.id } })).body.state).toBe("draft");

    expect((await call(pauseRoute.POST, "", { key: editor, params: { id: t1.id } })).body.state).toBe("paused");
    expect(await assignArm(m.id, "user-1")).toBeNull();
    expect((await call(startRoute.POST, "", { key: editor, params: { id: t2.id } })).body.state).toBe("running");
    expect((await assignArm(m.id, "user-1"))!.testId).toBe(t2.id);
    expect((await call(startRoute.POST, "", { key: editor, params: { id: t1.id } })).status).toBe(400);
    expect((await call(stopRoute.POST, "", { key: viewer, params: { id: t2.id } })).status).toBe(403);
    expect((await call(stopRoute.POST, "", { key: editor, params: { id: t2.id } })).body.state).toBe("stopped");
    expect(await assignArm(m.id, "user-1")).toBeNull();
    const restart = await call(startRoute.POST, "", { key: editor, params: { id: t2.id } });
    expect(restart.status).toBe(400);
    expect(restart.body.error.message).toMatch(/stopped/);
  });

  it("lets only one of two concurrent starts on one model win", async () => {
    const m = await model();
    const tests = await Promise.all([createAbTest(body(m.name), null), createAbTest(body(m.name, { name: "other" }), null)]);
    const results = await Promise.allSettled(tests.map((t) => startAbTest(t.id, null)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db().abTest.count({ where: { modelId: m.id, state: "running" } })).toBe(1);
  });
});

describe("A/B test analysis from the prediction log and feedback", () => {
  it("conversion: rates, z-test, sequential p, verdict and timeline; stop records the winner; promote moves champion", async () => {
    const m = await model();
    const t = await createAbTest(body(m.name, { guardrails: [{ metric: "latency_ms", max: 50 }] }), null);
    await startAbTest(t.id, null);
    await seed(t, "A", 2000, (i) => (i % 10 === 0 ? 1 : 0)); // 10%
    await seed(t, "B", 2000, (i) => (i % 10 < 2 ? 1 : 0)); // 20%
    // Predictions without feedback are traffic (SRM counts them) but not outcomes.
    await seed(t, "A", 10, () => null);

    const r = await call(analysisRoute.GET, "", { key: viewer, params: { id: t.id } });
    expect(r.status).toBe(200);
    const an = r.body as Analysis;
    expect(an.arms.map((a) => [a.name, a.version, a.n, a.mean])).toEqual([
      ["A", 1, 2000, 0.1],
      ["B", 2, 2000, 0.2],
    ]);
    const expected = compareProportions({ n: 2000, sum: 400, sumSq: 400 }, { n: 2000, sum: 200, sumSq: 200 });
    const c = an.comparisons[0]!;
    expect(c).toMatchObject({ arm: "B", baseline: "A", significant: true });
    expect(c.lift).toBeCloseTo(0.1, 12);
    expect(c.p_value).toBeCloseTo(expected.pValue!, 12);
    expect(c.lift_ci_low).toBeCloseTo(expected.liftLow!, 12);
    expect(c.sequential_p_value!).toBeLessThan(0.05);
    expect(c.sequential_p_value!).toBeGreaterThanOrEqual(c.p_value!);
    expect(an.arms[0]!.ci_low!).toBeLessThan(0.1);
    expect(an.arms[0]!.ci_high!).toBeGreaterThan(0.1);
    expect(an.srm).toMatchObject({ flagged: false, units: { A: 2010, B: 2000 } });
    expect(an.guardrails.every((g) => !g.violated)).toBe(true);
    expect(an.timeline).toHaveLength(4);
    expect(an.timeline[3]!.arms.B!.n).toBe(2000);
    expect(an.timeline[0]!.time).toBe("2026-01-05T08:00:00Z");
    expect(an.winner).toBe("B");
    expect(an.verdict).toMatch(/Arm 'B' \(v2\) beats baseline 'A'/);

    // Promote is for concluded tests only.
    expect((await call(promoteRoute.POST, "", { key: editor, params: { id: t.id } })).status).toBe(409);
    const stopped = await call(stopRoute.POST, "", { key: editor, params: { id: t.id } });
    expect(stopped.body).toMatchObject({ state: "stopped", winner_arm: "B" });
    expect((await call(promoteRoute.POST, "", { key: viewer, params: { id: t.id } })).status).toBe(403);
    expect((await getRegisteredModel(m.name)).aliases.champion).toBe(1);
    const p = await call(promoteRoute.POST, "", { key: editor, params: { id: t.id }, body: {} });
    expect(p.status).toBe(200);
    expect(p.body.promotion).toMatchObject({ fromVersion: 1, toVersion: 2, changed: true });
    expect((await getRegisteredModel(m.name)).aliases.champion).toBe(2);
    expect((await listAudit({ targetType: "ab_test", targetId: t.id })).map((e) => e.action)).toContain("ab_test.promote_winner");
    const promotions = (await listAudit({ targetType: "registered_model", targetId: m.id })).filter((e) => e.action === "model.promote");
    expect(promotions[0]!.details).toMatchObject({ from_version: 1, to_version: 2 });
  });

  it("gives no verdict before the minimum sample, and none without a winner to promote", async () => {
    const m = await model();
    const t = await createAbTest(body(m.name, { min_samples: 5000 }), null);
    await startAbTest(t.id, null);
    await seed(t, "A", 300, (i) => (i % 10 === 0 ? 1 : 0));
    await seed(t, "B", 300, (i) => (i % 2 === 0 ? 1 : 0));
    const an = (await call(analysisRoute.GET, "", { key: viewer, params: { id: t.id } })).body as Analysis;
    expect(an.ready).toBe(false);
    expect(an.winner).toBeNull();
    expect(an.comparisons[0]!.significant).toBe(false);
    expect(an.comparisons[0]!.p_value!).toBeLessThan(1e-6);
    expect(an.verdict).toMatch(/300 of the 5000.*No verdict before the minimum sample/);
    await call(stopRoute.POST, "", { key: editor, params: { id: t.id } });
    const p = await call(promoteRoute.POST, "", { key: editor, params: { id: t.id } });
    expect(p.status).toBe(409);
    expect((await getRegisteredModel(m.name)).aliases.champion).toBe(1);
  });

  it("flags a sample-ratio mismatch and gives no winner", async () => {
    const m = await model();
    const t = await createAbTest(body(m.name, { min_samples: 10 }), null);
    await startAbTest(t.id, null);
    await seed(t, "A", 5200, (i) => (i % 10 === 0 ? 1 : 0), { hours: 1 });
    await seed(t, "B", 4800, (i) => (i % 4 === 0 ? 1 : 0), { hours: 1 });
    const an = (await call(analysisRoute.GET, "", { key: viewer, params: { id: t.id } })).body as Analysis;
    expect(an.srm.flagged).toBe(true);
    expect(an.srm.p_value!).toBeLessThan(0.001);
    expect(an.winner).toBeNull();
    expect(an.verdict).toMatch(/Sample ratio mismatch/);
  });

  it("mean: Welch's test on numeric feedback; accuracy: label equals the prediction, shadow measured apart; guardrail", async () => {
    const m = await model();
    const mean = await createAbTest(body(m.name, { metric: { kind: "mean" }, min_samples: 10, guardrails: [{ metric: "latency_ms", max_increase_pct: 50 }] }), null);
    await seed(mean, "A", 400, (i) => 10 + (i % 7));
    await seed(mean, "B", 400, (i) => 10.5 + (i % 5));
    const a = Array.from({ length: 400 }, (_, i) => 10 + (i % 7));
    const b = Array.from({ length: 400 }, (_, i) => 10.5 + (i % 5));
    const sums = (xs: number[]) => ({ n: xs.length, sum: xs.reduce((s, x) => s + x, 0), sumSq: xs.reduce((s, x) => s + x * x, 0) });
    const expected = compareMeans(sums(b), sums(a));
    const an = (await call(analysisRoute.GET, "", { key: viewer, params: { id: mean.id } })).body as Analysis;
    expect(an.arms[0]!.mean).toBeCloseTo(sums(a).sum / 400, 10);
    expect(an.comparisons[0]!.p_value).toBeCloseTo(expected.pValue!, 10);
    expect(an.comparisons[0]!.lift_ci_high).toBeCloseTo(expected.liftHigh!, 10);
    // B's latency is twice A's: over the +50% guardrail, so B cannot win.
    expect(an.guardrails).toEqual([expect.objectContaining({ arm: "B", violated: true })]);
    expect(an.winner).not.toBe("B");

    const acc = await createAbTest(body(m.name, { name: "acc", metric: { kind: "accuracy" }, min_samples: 10, shadow: { version: 3 } }), null);
    const labels = ["cat", "dog"];
    await seed(acc, "A", 300, (i) => labels[i % 2]!, { output: () => '"cat"' }); // right half of the time
    await seed(acc, "B", 300, () => "cat", { output: () => '"cat"' }); // always right
    await seed(acc, "shadow", 100, (i) => (i % 4 === 0 ? "cat" : "dog"), { output: () => '"cat"' });
    const an2 = (await call(analysisRoute.GET, "", { key: viewer, params: { id: acc.id } })).body as Analysis;
    expect(an2.arms.map((x) => x.mean)).toEqual([0.5, 1]);
    expect(an2.shadow).toMatchObject({ name: "shadow", version: 3, n: 100, mean: 0.25 });
    expect(an2.srm.units).toEqual({ A: 300, B: 300 });
  });
});
