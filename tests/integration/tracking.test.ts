import { describe, expect, it } from "vitest";
import { listAudit } from "@/lib/auth";
import { db } from "@/lib/db";
import {
  archiveExperiment,
  countRuns,
  createExperiment,
  createRun,
  deleteRun,
  getExperiment,
  getExperimentByName,
  getMetricHistories,
  getMetricHistory,
  getRun,
  getRunLineage,
  listExperiments,
  logBatch,
  logMetric,
  logParam,
  renameExperiment,
  restoreExperiment,
  restoreRun,
  searchRuns,
  setExperimentTags,
  setRunTags,
  updateRun,
} from "@/lib/tracking";
import { makeUser, uid } from "../support/factories";

async function experiment(prefix = "exp") {
  return createExperiment(null, { name: `${prefix}-${uid()}` });
}

describe("experiments", () => {
  it("has the default experiment 0 named Default", async () => {
    const e = await getExperiment("0");
    expect(e).toMatchObject({ id: "0", name: "Default", artifactLocation: "mlflow-artifacts:/0", lifecycleStage: "active" });
    expect((await getExperimentByName("Default")).id).toBe("0");
  });

  it("creates with a unique name, renames, tags, archives and restores", async () => {
    const e = await experiment();
    expect(e.artifactLocation).toBe(`mlflow-artifacts:/${e.id}`);
    await expect(createExperiment(null, { name: e.name })).rejects.toMatchObject({ code: "conflict" });
    const other = await experiment();
    await expect(renameExperiment(null, e.id, other.name)).rejects.toMatchObject({ code: "conflict" });
    const renamed = await renameExperiment(null, e.id, `${e.name}-renamed`);
    expect(renamed.name).toBe(`${e.name}-renamed`);
    const tagged = await setExperimentTags(null, e.id, { team: "risk" });
    expect(tagged.tags).toEqual({ team: "risk" });

    const run = await createRun(null, { experimentId: e.id });
    await archiveExperiment(null, e.id);
    expect((await getExperiment(e.id)).lifecycleStage).toBe("deleted");
    expect((await getRun(run.id)).lifecycleStage).toBe("deleted");
    await expect(createRun(null, { experimentId: e.id })).rejects.toMatchObject({ code: "invalid" });
    const active = await listExperiments({ maxResults: 1000 });
    expect(active.items.map((x) => x.id)).not.toContain(e.id);
    const deleted = await listExperiments({ view: "deleted", maxResults: 1000 });
    expect(deleted.items.map((x) => x.id)).toContain(e.id);
    await restoreExperiment(null, e.id);
    expect((await getRun(run.id)).lifecycleStage).toBe("active");
    await expect(archiveExperiment(null, "0")).rejects.toMatchObject({ code: "invalid" });
  });

  it("filters experiments by name and tag", async () => {
    const tag = uid();
    const a = await createExperiment(null, { name: `filter-a-${tag}`, tags: { team: tag } });
    await createExperiment(null, { name: `filter-b-${tag}` });
    const page = await listExperiments({ filter: `name LIKE 'filter-%-${tag}' and tags.team = '${tag}'` });
    expect(page.items.map((x) => x.id)).toEqual([a.id]);
  });

  it("refuses writes from a viewer", async () => {
    const { actor } = await makeUser("viewer");
    await expect(createExperiment(actor, { name: `v-${uid()}` })).rejects.toMatchObject({ code: "forbidden" });
  });

  it("answers 404 for unknown ids", async () => {
    await expect(getExperiment("987654321")).rejects.toMatchObject({ code: "not_found" });
    await expect(getExperiment("abc")).rejects.toMatchObject({ code: "not_found" });
    await expect(getRun("0".repeat(32))).rejects.toMatchObject({ code: "not_found" });
    await expect(getRun("../etc/passwd")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("runs", () => {
  it("creates a run with a generated name in the default experiment", async () => {
    const run = await createRun(null);
    expect(run.experimentId).toBe("0");
    expect(run.id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
    expect(run.status).toBe("RUNNING");
    expect(run.artifactUri).toBe(`mlflow-artifacts:/0/${run.id}/artifacts`);
    expect(run.tags["mlflow.runName"]).toBe(run.name);
  });

  it("records parent run, code version and user; ends with an end time", async () => {
    const { actor, user } = await makeUser("editor");
    const e = await experiment();
    const parent = await createRun(actor, { experimentId: e.id, name: "parent" });
    const child = await createRun(actor, { experimentId: e.id, parentRunId: parent.id, codeVersion: "abc123" });
    expect(child).toMatchObject({ parentRunId: parent.id, codeVersion: "abc123", userId: user.id });
    await expect(createRun(actor, { experimentId: e.id, parentRunId: "f".repeat(32) })).rejects.toMatchObject({ code: "not_found" });
    const ended = await updateRun(actor, child.id, { status: "FINISHED" });
    expect(ended.status).toBe("FINISHED");
    expect(ended.endTime).toBeGreaterThan(0);
    const renamed = await updateRun(actor, child.id, { name: "renamed" });
    expect((await getRun(renamed.id)).tags["mlflow.runName"]).toBe("renamed");
    const lineage = await getRunLineage(child.id);
    expect(lineage).toMatchObject({ parentRun: { id: parent.id, name: "parent" }, codeVersion: "abc123", datasetVersion: null });
  });

  it("archives and restores a run; an archived run refuses writes", async () => {
    const run = await createRun(null);
    await deleteRun(null, run.id);
    await expect(logMetric(null, run.id, { key: "m", value: 1 })).rejects.toMatchObject({ code: "invalid" });
    await restoreRun(null, run.id);
    await logMetric(null, run.id, { key: "m", value: 1 });
  });
});

describe("params, metrics, tags", () => {
  it("keeps params immutable: same value is fine, another value is INVALID_PARAMETER_VALUE", async () => {
    const run = await createRun(null);
    await logParam(null, run.id, "lr", "0.01");
    await logParam(null, run.id, "lr", "0.01");
    const err = await logParam(null, run.id, "lr", "0.02").catch((e) => e);
    expect(err).toMatchObject({ code: "invalid", details: { mlflowCode: "INVALID_PARAMETER_VALUE", key: "lr" } });
    expect((await getRun(run.id)).params).toEqual({ lr: "0.01" });
  });

  // Metrics alone take the bulk path; with a param the batch takes the transaction path.
  it.each([
    ["metrics only", {}],
    ["with a param", { params: [{ key: "lr", value: "0.1" }] }],
  ])("stores and returns NaN and ±Infinity with the full history (%s)", async (_, extra) => {
    const run = await createRun(null);
    await logBatch(null, run.id, {
      ...extra,
      metrics: [
        { key: "loss", value: 1.5, step: 0, timestamp: 1000 },
        { key: "loss", value: "NaN", step: 1, timestamp: 1001 },
        { key: "loss", value: Infinity, step: 2, timestamp: 1002 },
        { key: "loss", value: "-Infinity", step: 3, timestamp: 1003 },
        { key: "tiny", value: 5e-324, step: 0, timestamp: 1000 },
      ],
    });
    const h = await getMetricHistory(run.id, "loss");
    expect(h.map((p) => p.value)).toEqual([1.5, NaN, Infinity, -Infinity]);
    expect(h.map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect((await getRun(run.id)).metrics.loss).toEqual({ value: -Infinity, step: 3, timestamp: 1003 });
    expect((await getRun(run.id)).metrics.tiny?.value).toBe(5e-324);
  });

  it("keeps the latest metric by step, then time, across batches", async () => {
    const run = await createRun(null);
    await logBatch(null, run.id, { metrics: [{ key: "acc", value: 0.5, step: 5, timestamp: 10 }] });
    await logBatch(null, run.id, { metrics: [{ key: "acc", value: 0.1, step: 2, timestamp: 20 }] });
    expect((await getRun(run.id)).metrics.acc?.value).toBe(0.5);
    await logBatch(null, run.id, { metrics: [{ key: "acc", value: 0.7, step: 5, timestamp: 11 }, { key: "acc", value: 0.9, step: 6, timestamp: 5 }] });
    expect((await getRun(run.id)).metrics.acc).toEqual({ value: 0.9, step: 6, timestamp: 5 });
    expect(await getMetricHistory(run.id, "acc")).toHaveLength(4);
  });

  it("refuses a batch over the limits and stores nothing", async () => {
    const run = await createRun(null);
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, step: i }));
    await expect(logBatch(null, run.id, { metrics })).rejects.toMatchObject({ code: "invalid" });
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "x" }));
    await expect(logBatch(null, run.id, { params })).rejects.toMatchObject({ code: "invalid" });
    const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: "x" }));
    await expect(logBatch(null, run.id, { tags })).rejects.toMatchObject({ code: "invalid" });
    // A param conflict in the middle of a batch rolls back its metrics too.
    await logParam(null, run.id, "a", "1");
    await expect(logBatch(null, run.id, { metrics: [{ key: "m", value: 1 }], params: [{ key: "a", value: "2" }] })).rejects.toMatchObject({
      code: "invalid",
    });
    expect(await db().metric.count({ where: { runId: run.id } })).toBe(0);
    expect(await db().param.count({ where: { runId: run.id } })).toBe(1);
  });

  it("writes a full 1000-metric batch; 1000 items in all is the limit", async () => {
    const run = await createRun(null);
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i / 1000, step: Math.floor(i / 10), timestamp: 5000 + i }));
    await logBatch(null, run.id, { metrics });
    await logBatch(null, run.id, { params: [{ key: "depth", value: 4 }], tags: [{ key: "team", value: "x" }] });
    await expect(logBatch(null, run.id, { metrics, tags: [{ key: "one-too-many", value: "x" }] })).rejects.toMatchObject({ code: "invalid" });
    const r = await getRun(run.id);
    expect(Object.keys(r.metrics)).toHaveLength(10);
    expect(r.metrics.m9).toEqual({ value: 0.999, step: 99, timestamp: 5999 });
    expect(r.params).toEqual({ depth: "4" });
    expect(r.tags.team).toBe("x");
    const h = await getMetricHistory(run.id, "m3", { maxPoints: 20 });
    expect(h).toHaveLength(20);
    expect(h[0]!.step).toBe(0);
    expect(h.at(-1)!.step).toBe(99);
    const all = await getMetricHistories([run.id], ["m1", "m2"], { maxPoints: 10 });
    expect(all[run.id]!.m1).toHaveLength(10);
  });

  it("handles metric-only and mixed batches concurrently without losing or blocking any", async () => {
    const run = await createRun(null);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? logBatch(null, run.id, { metrics: [{ key: "c", value: i, step: i }], params: [{ key: `p${i}`, value: "v" }] })
          : logBatch(null, run.id, { metrics: Array.from({ length: 50 }, (_, j) => ({ key: "c", value: j, step: i * 100 + j })) }),
      ),
    );
    expect(await db().metric.count({ where: { runId: run.id } })).toBe(4 + 8 * 50);
    const r = await getRun(run.id);
    expect(Object.keys(r.params)).toHaveLength(4);
    expect(r.metrics.c).toMatchObject({ step: 1149, value: 49 });
  });

  it("syncs the run name with the mlflow.runName tag", async () => {
    const run = await createRun(null);
    await setRunTags(null, run.id, { "mlflow.runName": "from-tag" });
    expect((await getRun(run.id)).name).toBe("from-tag");
  });

  it("rejects bad metric names", async () => {
    const run = await createRun(null);
    await expect(logMetric(null, run.id, { key: "../x", value: 1 })).rejects.toMatchObject({ code: "invalid" });
    await expect(logMetric(null, run.id, { key: "a\u0000b", value: 1 })).rejects.toMatchObject({ code: "invalid" });
  });
});

describe("run search", () => {
  async function seed() {
    const e = await experiment("search");
    const specs = [
      { name: "a", acc: 0.95, lr: "0.01", team: "x", status: "FINISHED" as const },
      { name: "b", acc: 0.85, lr: "0.01", team: "x", status: "FINISHED" as const },
      { name: "c", acc: 0.92, lr: "0.1", team: "y", status: "FAILED" as const },
      { name: "d-special", acc: null, lr: "0.01", team: "x", status: "RUNNING" as const },
    ];
    const runs: Record<string, string> = {};
    let t = 1_700_000_000_000;
    for (const s of specs) {
      const run = await createRun(null, { experimentId: e.id, name: s.name, startTime: t++ });
      runs[s.name] = run.id;
      await logBatch(null, run.id, {
        metrics: s.acc === null ? [] : [{ key: "accuracy", value: s.acc }],
        params: [{ key: "lr", value: s.lr }],
        tags: [{ key: "team", value: s.team }],
      });
      if (s.status !== "RUNNING") await updateRun(null, run.id, { status: s.status });
    }
    return { e, runs };
  }

  it("filters by metrics, params, tags and attributes", async () => {
    const { e, runs } = await seed();
    const names = async (filter: string, orderBy: string[] = []) =>
      (await searchRuns({ experimentIds: [e.id], filter, orderBy })).items.map((r) => r.name);
    expect(await names("metrics.accuracy > 0.9 and params.lr = '0.01' and tags.team = 'x'")).toEqual(["a"]);
    expect(await names("metrics.accuracy >= 0.85", ["metrics.accuracy DESC"])).toEqual(["a", "c", "b"]);
    expect(await names("", ["metrics.accuracy ASC"])).toEqual(["b", "c", "a", "d-special"]);
    expect(await names("attributes.status = 'FINISHED'", ["attributes.run_name"])).toEqual(["a", "b"]);
    expect(await names("attributes.run_name LIKE '%special'")).toEqual(["d-special"]);
    expect(await names("attributes.run_name LIKE '%SPECIAL'")).toEqual([]);
    expect(await names("attributes.run_name ILIKE '%SPECIAL'")).toEqual(["d-special"]);
    expect(await names("tags.team IN ('y', 'z')")).toEqual(["c"]);
    expect(await names("params.lr != '0.01'")).toEqual(["c"]);
    expect(await names("metrics.accuracy IS NULL")).toEqual(["d-special"]);
    expect(await names("attributes.start_time > 1700000000001", ["attributes.start_time ASC"])).toEqual(["c", "d-special"]);
    expect(await names(`attributes.run_id = '${runs.b}'`)).toEqual(["b"]);
    expect(await names("params.`lr` = '0.1'")).toEqual(["c"]);
    expect(await names("status = 'FAILED'")).toEqual(["c"]);
    expect(await countRuns({ experimentIds: [e.id], filter: "params.lr = '0.01'" })).toBe(3);
  });

  it("treats quotes and SQL in values as plain values", async () => {
    const { e } = await seed();
    const run = await createRun(null, { experimentId: e.id, name: "quoted" });
    await logParam(null, run.id, "x", "1' OR 1=1 --");
    const page = await searchRuns({ experimentIds: [e.id], filter: "params.x = '1'' OR 1=1 --'" });
    expect(page.items.map((r) => r.name)).toEqual(["quoted"]);
    const none = await searchRuns({ experimentIds: [e.id], filter: "params.lr = '0.01'' OR ''1''=''1'" });
    expect(none.items).toEqual([]);
  });

  it("pages with opaque tokens", async () => {
    const { e } = await seed();
    const first = await searchRuns({ experimentIds: [e.id], maxResults: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextPageToken).toBeTruthy();
    const second = await searchRuns({ experimentIds: [e.id], maxResults: 3, pageToken: first.nextPageToken! });
    expect(second.items).toHaveLength(1);
    expect(second.nextPageToken).toBeNull();
    expect(new Set([...first.items, ...second.items].map((r) => r.id)).size).toBe(4);
    await expect(searchRuns({ experimentIds: [e.id], filter: "params.lr = '1'", pageToken: first.nextPageToken! })).rejects.toMatchObject({
      code: "invalid",
    });
    await expect(searchRuns({ pageToken: "garbage" })).rejects.toMatchObject({ code: "invalid" });
  });

  it("pages through a metric sort, runs without the metric (or with NaN) last", async () => {
    const { e } = await seed();
    const nan = await createRun(null, { experimentId: e.id, name: "nan", startTime: 1 });
    await logMetric(null, nan.id, { key: "accuracy", value: "NaN" });
    for (const size of [1, 2, 3]) {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await searchRuns({ experimentIds: [e.id], orderBy: ["metrics.accuracy DESC"], maxResults: size, pageToken: token });
        seen.push(...page.items.map((r) => r.name));
        token = page.nextPageToken ?? undefined;
      } while (token);
      expect(seen).toEqual(["a", "c", "b", "d-special", "nan"]);
    }
    const filtered = await searchRuns({ experimentIds: [e.id], filter: "params.lr = '0.01'", orderBy: ["metrics.accuracy ASC", "attributes.run_name DESC"] });
    expect(filtered.items.map((r) => r.name)).toEqual(["b", "a", "d-special"]);
  });

  it("rejects a filter that does not parse, naming the position", async () => {
    const err = await searchRuns({ filter: "metrics.acc > 0.9 and params.lr = " }).catch((e) => e);
    expect(err).toMatchObject({ code: "invalid", details: { position: 35 } });
    expect(err.message).toMatch(/position 35/);
  });
});

describe("audit", () => {
  it("leaves tracking writes out of the audit log (only registry changes are audited)", async () => {
    const before = (await listAudit({ limit: 1 }))[0]?.id;
    await createRun(null);
    expect((await listAudit({ limit: 1 }))[0]?.id).toBe(before);
  });
});
