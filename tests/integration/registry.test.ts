import { describe, expect, it, vi } from "vitest";
import { listAudit } from "@/lib/auth";
import { db, newId } from "@/lib/db";
import {
  createModelVersion,
  createRegisteredModel,
  deleteModelVersion,
  deleteRegisteredModel,
  getModelVersion,
  getModelVersionByAlias,
  getModelVersionLineage,
  getRegisteredModel,
  listModelVersions,
  listRegisteredModels,
  promote,
  promotionHistory,
  rollbackPromotion,
  searchModelVersions,
  setModelAlias,
  transitionModelVersionStage,
  updateRegisteredModel,
} from "@/lib/registry";
import { createRun } from "@/lib/tracking";
import * as modelsRoute from "@/app/api/v1/models/route";
import * as promoteRoute from "@/app/api/v1/models/[name]/promote/route";
import * as versionsRoute from "@/app/api/v1/models/[name]/versions/route";
import * as aliasRoute from "@/app/api/v1/models/[name]/aliases/[alias]/route";
import { makeApiKey, makeUser, uid } from "../support/factories";

// Lets a test make the audit write fail, to prove the alias move rolls back with it.
const auditFault = vi.hoisted(() => ({ fail: false }));
vi.mock("@/lib/auth", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/auth")>();
  return {
    ...actual,
    writeAudit: async (...args: Parameters<typeof actual.writeAudit>) => {
      if (auditFault.fail && args[2] === "model.promote") throw new Error("audit log unavailable");
      return actual.writeAudit(...args);
    },
  };
});

async function modelWithVersions(n: number) {
  const model = await createRegisteredModel(null, { name: `model-${uid()}`, description: "test" });
  for (let i = 0; i < n; i++) await createModelVersion(null, model.name, { source: `mlflow-artifacts:/0/x/artifacts/model-${i}` });
  return model;
}

async function promotionsOf(modelId: string) {
  return (await listAudit({ targetType: "registered_model", targetId: modelId, limit: 100 })).filter((e) => e.action === "model.promote");
}

describe("registered models and versions", () => {
  it("keeps names unique, renames, tags and deletes", async () => {
    const m = await createRegisteredModel(null, { name: `m-${uid()}`, tags: { team: "risk" } });
    await expect(createRegisteredModel(null, { name: m.name })).rejects.toMatchObject({ code: "conflict" });
    const other = await createRegisteredModel(null, { name: `m-${uid()}` });
    await expect(updateRegisteredModel(null, m.name, { name: other.name })).rejects.toMatchObject({ code: "conflict" });
    const renamed = await updateRegisteredModel(null, m.name, { name: `${m.name}-2`, description: "d", tags: { stage: "dev" } });
    expect(renamed).toMatchObject({ name: `${m.name}-2`, description: "d", tags: { team: "risk", stage: "dev" } });
    await expect(getRegisteredModel(m.name)).rejects.toMatchObject({ code: "not_found" });
    const found = await listRegisteredModels({ filter: `name = '${m.name}-2' and tags.team = 'risk'` });
    expect(found.items.map((x) => x.id)).toEqual([m.id]);
    await deleteRegisteredModel(null, renamed.name);
    await expect(getRegisteredModel(renamed.name)).rejects.toMatchObject({ code: "not_found" });
    await expect(createRegisteredModel(null, { name: "a/b" })).rejects.toMatchObject({ code: "invalid" });
  });

  it("numbers versions 1, 2, 3 per model, READY at once, even when created concurrently", async () => {
    const m = await createRegisteredModel(null, { name: `m-${uid()}` });
    const created = await Promise.all(
      Array.from({ length: 4 }, (_, i) => createModelVersion(null, m.name, { source: `s${i}`, signature: { inputs: [{ name: "x", type: "double" }] } })),
    );
    expect(created.map((v) => v.version).sort()).toEqual([1, 2, 3, 4]);
    expect(created.every((v) => v.status === "READY" && v.stage === "None")).toBe(true);
    expect((await getModelVersion(m.name, 2)).signature).toEqual({ inputs: [{ name: "x", type: "double" }] });
    expect((await listModelVersions(m.name)).map((v) => v.version)).toEqual([4, 3, 2, 1]);
    await expect(getModelVersion(m.name, 9)).rejects.toMatchObject({ code: "not_found" });
    await expect(createModelVersion(null, m.name, { source: "s", runId: "f".repeat(32) })).rejects.toMatchObject({ code: "not_found" });
    const byFilter = await searchModelVersions({ filter: `name = '${m.name}' and version >= 3` });
    expect(byFilter.items.map((v) => v.version)).toEqual([4, 3]);
  });

  it("transitions legacy stages, archiving the others on request", async () => {
    const m = await modelWithVersions(3);
    await transitionModelVersionStage(null, m.name, 1, { stage: "Production" });
    await transitionModelVersionStage(null, m.name, 2, { stage: "Production" });
    await transitionModelVersionStage(null, m.name, 3, { stage: "production", archiveExistingVersions: true });
    const stages = (await listModelVersions(m.name)).map((v) => [v.version, v.stage]);
    expect(stages).toEqual([[3, "Production"], [2, "Archived"], [1, "Archived"]]);
    await expect(transitionModelVersionStage(null, m.name, 1, { stage: "Prod" })).rejects.toMatchObject({ code: "invalid" });
    expect((await getRegisteredModel(m.name)).latestVersions.map((v) => [v.version, v.stage])).toEqual([[2, "Archived"], [3, "Production"]]);
  });

  it("traces lineage: version → run → dataset version → code version", async () => {
    const dataset = await db().dataset.create({ data: { id: newId(), name: `ds-${uid()}` } });
    const dv = await db().datasetVersion.create({
      data: { id: newId(), datasetId: dataset.id, version: 1, sha256: "a".repeat(64), artifactPath: "datasets/x.csv", sizeBytes: 10, rowCount: 5, columnCount: 2 },
    });
    const run = await createRun(null, { name: "trainer", datasetVersionId: dv.id, codeVersion: "deadbeef" });
    const m = await createRegisteredModel(null, { name: `m-${uid()}` });
    await createModelVersion(null, m.name, { source: `${run.artifactUri}/model`, runId: run.id });
    const lineage = await getModelVersionLineage(m.name, 1);
    expect(lineage).toMatchObject({
      modelVersion: { version: 1, runId: run.id },
      run: { id: run.id, name: "trainer", experimentId: "0", experimentName: "Default" },
      datasetVersion: { id: dv.id, datasetName: dataset.name, version: 1, rowCount: 5 },
      codeVersion: "deadbeef",
    });
  });
});

describe("aliases and promotion", () => {
  it("promotes with an audit entry, and rolls back by promoting the previous version", async () => {
    const { actor, email } = await makeUser("editor");
    const m = await modelWithVersions(3);
    const first = await promote(actor, m.name, 1, { reason: "baseline" });
    expect(first).toMatchObject({ alias: "champion", fromVersion: null, toVersion: 1, changed: true });
    const second = await promote(actor, m.name, "2", { reason: "better AUC" });
    expect(second).toMatchObject({ fromVersion: 1, toVersion: 2 });
    expect((await getModelVersionByAlias(m.name, "champion")).version).toBe(2);

    const [latest] = await promotionsOf(m.id);
    expect(latest).toMatchObject({
      action: "model.promote",
      actorLabel: email,
      details: { alias: "champion", from_version: 1, to_version: 2, reason: "better AUC", model: m.name },
    });

    const rolledBack = await rollbackPromotion(actor, m.name, { reason: "latency regression" });
    expect(rolledBack).toMatchObject({ fromVersion: 2, toVersion: 1 });
    expect((await getModelVersionByAlias(m.name, "champion")).version).toBe(1);
    const history = await promotionHistory(m.name);
    expect(history.map((h) => [h.fromVersion, h.toVersion, h.reason])).toEqual([
      [2, 1, "latency regression"],
      [1, 2, "better AUC"],
      [null, 1, "baseline"],
    ]);

    const same = await promote(actor, m.name, 1);
    expect(same.changed).toBe(false);
    expect(await promotionsOf(m.id)).toHaveLength(3);
  });

  it("labels CLI promotions 'cli' and refuses viewers without changing anything", async () => {
    const m = await modelWithVersions(2);
    await promote(null, m.name, 1, { actorLabel: "cli", reason: "from the terminal" });
    expect((await promotionsOf(m.id))[0]).toMatchObject({ actorLabel: "cli", actorId: null });
    const { actor } = await makeUser("viewer");
    await expect(promote(actor, m.name, 2)).rejects.toMatchObject({ code: "forbidden" });
    expect((await getModelVersionByAlias(m.name, "champion")).version).toBe(1);
    expect(await promotionsOf(m.id)).toHaveLength(1);
  });

  it("moves the alias and writes the audit in one transaction: a failed audit leaves the alias where it was", async () => {
    const m = await modelWithVersions(2);
    await promote(null, m.name, 1);
    auditFault.fail = true;
    try {
      await expect(promote(null, m.name, 2)).rejects.toThrow("audit log unavailable");
    } finally {
      auditFault.fail = false;
    }
    expect((await getModelVersionByAlias(m.name, "champion")).version).toBe(1);
    expect(await promotionsOf(m.id)).toHaveLength(1);
  });

  it("serializes concurrent promotions so each audit entry names the version it replaced", async () => {
    const m = await modelWithVersions(4);
    await promote(null, m.name, 1);
    await Promise.all([promote(null, m.name, 2), promote(null, m.name, 3), promote(null, m.name, 4)]);
    const entries = (await promotionHistory(m.name)).reverse();
    expect(entries).toHaveLength(4);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.fromVersion).toBe(entries[i - 1]!.toVersion);
    expect((await getModelVersionByAlias(m.name, "champion")).version).toBe(entries.at(-1)!.toVersion);
  });

  it("sets, reads and deletes any alias; deleting a version drops its aliases", async () => {
    const m = await modelWithVersions(2);
    await setModelAlias(null, m.name, "challenger", 2);
    expect((await getRegisteredModel(m.name)).aliases).toEqual({ challenger: 2 });
    await expect(setModelAlias(null, m.name, "latest", 1)).rejects.toMatchObject({ code: "invalid" });
    await expect(setModelAlias(null, m.name, "x", 7)).rejects.toMatchObject({ code: "not_found" });
    await deleteModelVersion(null, m.name, 2);
    await expect(getModelVersionByAlias(m.name, "challenger")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("over /api/v1", () => {
  const req = (key: string, method: string, path: string, body?: unknown) =>
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const params = (p: Record<string, string>) => ({ params: Promise.resolve(p) });

  it("registers, versions and promotes; a viewer gets 403", async () => {
    const { key } = await makeApiKey("editor");
    const name = `api-${uid()}`;
    const created = await modelsRoute.POST(req(key, "POST", "/api/v1/models", { name }));
    expect(created.status).toBe(201);
    for (const source of ["s1", "s2"]) {
      const v = await versionsRoute.POST(req(key, "POST", `/api/v1/models/${name}/versions`, { source }), params({ name }));
      expect(v.status).toBe(201);
    }
    const promoted = await promoteRoute.POST(req(key, "POST", `/api/v1/models/${name}/promote`, { version: 2, reason: "ship it" }), params({ name }));
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ alias: "champion", fromVersion: null, toVersion: 2, changed: true });
    const champion = await aliasRoute.GET(req(key, "GET", `/api/v1/models/${name}/aliases/champion`), params({ name, alias: "champion" }));
    expect(await champion.json()).toMatchObject({ version: 2, aliases: ["champion"] });

    const bad = await promoteRoute.POST(req(key, "POST", `/api/v1/models/${name}/promote`, { version: "two" }), params({ name }));
    expect(bad.status).toBe(400);
    const viewer = (await makeApiKey("viewer")).key;
    const denied = await promoteRoute.POST(req(viewer, "POST", `/api/v1/models/${name}/promote`, { version: 1 }), params({ name }));
    expect(denied.status).toBe(403);
    const missing = await promoteRoute.POST(req(key, "POST", `/api/v1/models/nope-${uid()}/promote`, { version: 1 }), params({ name: `nope-${uid()}` }));
    expect(missing.status).toBe(404);
  });
});
