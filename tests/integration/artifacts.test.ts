import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbArtifactStore, FileArtifactStore, validateArtifactPath, type ArtifactStore } from "@/lib/artifacts";
import { resetConfig } from "@/lib/config";
import { db } from "@/lib/db";
import { createRun, deleteRun, listRunArtifacts, readRunArtifact, uploadRunArtifact } from "@/lib/tracking";
import * as artifactFileRoute from "@/app/api/v1/runs/[id]/artifacts/[...path]/route";
import * as artifactListRoute from "@/app/api/v1/runs/[id]/artifacts/route";
import { makeApiKey, uid } from "../support/factories";

const BAD_PATHS = ["../escape", "a/../../escape", "/etc/passwd", "a\u0000b", "a\\b", "a//b", "a/", "./a", "C:/x", ""];

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "mlops-artifacts-"));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(new TextEncoder().encode(ch));
      c.close();
    },
  });
}

const backends: [string, () => { store: ArtifactStore; prefix: string; count: () => Promise<number> }][] = [
  [
    "file",
    () => {
      const dir = mkdtempSync(join(root, "store-"));
      return { store: new FileArtifactStore(dir, 1024), prefix: "", count: async () => readdirSync(dir, { recursive: true }).length };
    },
  ],
  [
    "db",
    () => {
      const prefix = `t-${uid()}`;
      return {
        store: new DbArtifactStore(1024),
        prefix: `${prefix}/`,
        count: () => db().artifactBlob.count(),
      };
    },
  ],
];

describe.each(backends)("%s ArtifactStore", (_name, make) => {
  it("puts, gets, streams, lists and deletes", async () => {
    const { store, prefix: p } = make();
    const stored = await store.put(`${p}run/model/weights.bin`, new Uint8Array([1, 2, 3]));
    expect(stored).toMatchObject({ size: 3, sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81" });
    await store.put(`${p}run/model/MLmodel`, "flavors: {}");
    await store.put(`${p}run/notes.txt`, streamOf("hel", "lo"));
    expect((await store.get(`${p}run/notes.txt`)).toString()).toBe("hello");
    const { stream, size } = await store.getStream(`${p}run/model/weights.bin`);
    expect(size).toBe(3);
    expect([...new Uint8Array(await new Response(stream).arrayBuffer())]).toEqual([1, 2, 3]);
    expect(await store.list(`${p}run`)).toEqual([
      { path: `${p}run/model`, isDir: true, size: null },
      { path: `${p}run/notes.txt`, isDir: false, size: 5 },
    ]);
    expect((await store.list(`${p}run`, { recursive: true })).map((e) => e.path)).toEqual([
      `${p}run/model/MLmodel`,
      `${p}run/model/weights.bin`,
      `${p}run/notes.txt`,
    ]);
    expect(await store.list(`${p}nothing-here`)).toEqual([]);
    await store.put(`${p}run/notes.txt`, "replaced");
    expect((await store.get(`${p}run/notes.txt`)).toString()).toBe("replaced");
    expect(await store.stat(`${p}run/notes.txt`)).toEqual({ size: 8 });
    expect(await store.stat(`${p}run/missing`)).toBeNull();
    expect(await store.delete(`${p}run/model`)).toBe(2);
    expect((await store.list(`${p}run`, { recursive: true })).map((e) => e.path)).toEqual([`${p}run/notes.txt`]);
    await expect(store.get(`${p}run/model/MLmodel`)).rejects.toMatchObject({ code: "not_found" });
  });

  it("rejects unsafe paths and writes nothing", async () => {
    const { store, prefix: p, count } = make();
    const before = await count();
    for (const bad of BAD_PATHS) {
      await expect(store.put(bad, "x")).rejects.toMatchObject({ code: "invalid" });
    }
    expect(await count()).toBe(before);
    await expect(store.get(`${p}../x`)).rejects.toMatchObject({ code: "invalid" });
    await expect(store.list(`${p}a/../..`)).rejects.toMatchObject({ code: "invalid" });
  });

  it("refuses an artifact over the size limit and keeps nothing of it", async () => {
    const { store, prefix: p, count } = make();
    const before = await count();
    await expect(store.put(`${p}big/deep/file.bin`, streamOf("x".repeat(600), "y".repeat(600)))).rejects.toMatchObject({
      code: "payload_too_large",
    });
    expect(await count()).toBe(before);
  });

  it("refuses a file where a folder is, and a file below a file", async () => {
    const { store, prefix: p } = make();
    await store.put(`${p}f/a/b.txt`, "1");
    await expect(store.put(`${p}f/a`, "2")).rejects.toMatchObject({ code: "invalid" });
    await expect(store.put(`${p}f/a/b.txt/c`, "3")).rejects.toMatchObject({ code: "invalid" });
  });
});

describe("validateArtifactPath", () => {
  it("accepts plain relative paths and names each problem", () => {
    expect(validateArtifactPath("a/b-c/d.txt")).toBe("a/b-c/d.txt");
    expect(validateArtifactPath("", { allowRoot: true })).toBe("");
    expect(() => validateArtifactPath("a/../b")).toThrow(/'\.\.' segments/);
    expect(() => validateArtifactPath("/abs")).toThrow(/absolute/);
    expect(() => validateArtifactPath("a\u0000")).toThrow(/NUL/);
    expect(() => validateArtifactPath("a\\b")).toThrow(/backslash/);
    expect(() => validateArtifactPath("a//b")).toThrow(/empty segment/);
  });
});

describe.each(["file", "db"])("run artifacts on the %s backend", (kind) => {
  beforeAll(() => {
    process.env.ARTIFACT_STORE = kind === "db" ? "db:" : `file:${mkdtempSync(join(root, "runs-"))}`;
    resetConfig();
  });
  afterAll(() => {
    delete process.env.ARTIFACT_STORE;
    resetConfig();
  });

  it("uploads, lists and downloads a run's artifacts", async () => {
    const run = await createRun(null);
    await uploadRunArtifact(null, run.id, "model/model.json", '{"family":"linear"}');
    await uploadRunArtifact(null, run.id, "report.txt", "ok");
    expect(await listRunArtifacts(run.id)).toEqual([
      { path: "model", isDir: true, size: null },
      { path: "report.txt", isDir: false, size: 2 },
    ]);
    expect(await listRunArtifacts(run.id, "model")).toEqual([{ path: "model/model.json", isDir: false, size: 19 }]);
    expect((await readRunArtifact(run.id, "model/model.json")).toString()).toBe('{"family":"linear"}');
    await expect(uploadRunArtifact(null, run.id, "../other-run/x", "x")).rejects.toMatchObject({ code: "invalid" });
    await deleteRun(null, run.id);
    await expect(uploadRunArtifact(null, run.id, "late.txt", "x")).rejects.toMatchObject({ code: "invalid" });
  });

  it("serves them over /api/v1 (PUT raw body, GET, list)", async () => {
    const { key } = await makeApiKey("editor");
    const run = await createRun(null);
    const ctx = (path: string[]) => ({ params: Promise.resolve({ id: run.id, path }) });
    const put = await artifactFileRoute.PUT(
      new Request(`http://localhost/api/v1/runs/${run.id}/artifacts/plots/loss.png`, {
        method: "PUT",
        headers: { authorization: `Bearer ${key}` },
        body: new Uint8Array([137, 80, 78, 71]),
      }),
      ctx(["plots", "loss.png"]),
    );
    expect(put.status).toBe(201);
    const get = await artifactFileRoute.GET(
      new Request(`http://localhost/api/v1/runs/${run.id}/artifacts/plots/loss.png`, { headers: { authorization: `Bearer ${key}` } }),
      ctx(["plots", "loss.png"]),
    );
    expect(get.headers.get("content-type")).toBe("image/png");
    expect([...new Uint8Array(await get.arrayBuffer())]).toEqual([137, 80, 78, 71]);
    const list = await artifactListRoute.GET(
      new Request(`http://localhost/api/v1/runs/${run.id}/artifacts?path=plots`, { headers: { authorization: `Bearer ${key}` } }),
      { params: Promise.resolve({ id: run.id }) },
    );
    expect(await list.json()).toEqual({ files: [{ path: "plots/loss.png", isDir: false, size: 4 }] });
    const traversal = await artifactFileRoute.PUT(
      new Request(`http://localhost/api/v1/runs/${run.id}/artifacts/x`, { method: "PUT", headers: { authorization: `Bearer ${key}` }, body: "x" }),
      ctx(["..", "..", "x"]),
    );
    expect(traversal.status).toBe(400);
  });
});
