// The proxied multipart upload of MLflow's HttpArtifactRepository (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD):
// POST mpu/create/<folder> {path: <local file>, num_parts} → PUT each credential.url (no credentials)
// reading the ETag → POST mpu/complete/<folder> {path, upload_id, parts: [{part_number, etag, url}]},
// or POST mpu/abort/<folder> {path, upload_id} when a part failed.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { enqueue, MAINTENANCE_JOB, WorkerRunner, type CleanupResult } from "@/lib/jobs";
import { UNSUPPORTED_MULTIPART } from "@/lib/mlflow";
import { jobHandlers } from "@/workers/handlers";
import { makeApiKey } from "../support/factories";
import { mlflowClient, mlflowTestEnv, startMlflowRun } from "../support/mlflow";
import { waitForJob } from "../support/wait";

const env = mlflowTestEnv("mlflow-mpu");
const startRun = () => startMlflowRun(env.client);

/** The part URL's path below /api/2.0/mlflow-artifacts/, as the client would PUT it. */
const partPath = (url: string) => new URL(url).pathname.replace(/^\/api\/2\.0\/mlflow-artifacts\//, "");

describe("multipart artifact upload", () => {
  it("create → PUT parts without credentials → complete assembles the file in order", async () => {
    const { runId, experimentId } = await startRun();
    const folder = `${experimentId}/${runId}/artifacts/big`;
    const created = await env.client.artifacts("POST", `mpu/create/${folder}`, { json: { path: "/home/me/data/weights.bin", num_parts: 3 } });
    expect(created.status).toBe(200);
    const { upload_id, credentials } = created.body;
    expect(upload_id).toMatch(/^[0-9a-f]{32}$/);
    expect(credentials).toEqual(
      [1, 2, 3].map((n) => ({ url: `http://localhost/api/2.0/mlflow-artifacts/mpu/upload/${upload_id}/${n}`, part_number: n, headers: {} })),
    );

    const chunks = [new Uint8Array([1, 1, 1, 1]), new Uint8Array([2, 2, 2, 2]), new Uint8Array([3, 3])];
    const parts = [];
    // Parts may arrive in any order (the client uploads them from a thread pool).
    for (const i of [2, 0, 1]) {
      const c = credentials[i];
      const res = await env.client.artifacts("PUT", partPath(c.url), { data: chunks[i], anonymous: true });
      expect(res.status).toBe(200);
      parts[i] = { part_number: c.part_number, etag: res.headers.get("etag") ?? "", url: c.url };
      expect(parts[i].etag).toMatch(/^"[0-9a-f]{64}"$/);
    }
    const done = await env.client.artifacts("POST", `mpu/complete/${folder}`, { json: { path: "/home/me/data/weights.bin", upload_id, parts } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({});

    const got = await env.client.artifacts("GET", `artifacts/${folder}/weights.bin`);
    expect([...got.bytes]).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    expect(existsSync(join(env.dir, "multipart-uploads", upload_id))).toBe(false);
    // The upload is gone: its part URLs no longer take data.
    expect((await env.client.artifacts("PUT", partPath(credentials[0].url), { data: "x", anonymous: true })).status).toBe(404);
  });

  it("abort drops the parts and writes no file", async () => {
    const { runId, experimentId } = await startRun();
    const folder = `${experimentId}/${runId}/artifacts`;
    const { upload_id, credentials } = (await env.client.artifacts("POST", `mpu/create/${folder}`, { json: { path: "C:\\data\\x.bin", num_parts: 2 } })).body;
    await env.client.artifacts("PUT", partPath(credentials[0].url), { data: "part one", anonymous: true });
    const aborted = await env.client.artifacts("POST", `mpu/abort/${folder}`, { json: { path: "C:\\data\\x.bin", upload_id } });
    expect(aborted.status).toBe(200);
    expect(existsSync(join(env.dir, "multipart-uploads", upload_id))).toBe(false);
    expect((await env.client.artifacts("GET", `artifacts/${folder}/x.bin`)).status).toBe(404);
  });

  it("refuses bad input and writes nothing", async () => {
    const { runId, experimentId } = await startRun();
    const folder = `${experimentId}/${runId}/artifacts`;
    const before = readdirSync(join(env.dir), { recursive: true }).length;
    // No credentials for create; traversal in the folder or the file name; a viewer.
    expect((await mlflowClient(null).artifacts("POST", `mpu/create/${folder}`, { json: { path: "a.bin", num_parts: 1 } })).status).toBe(401);
    expect((await env.client.artifacts("POST", `mpu/create/${folder}/../x`, { json: { path: "a.bin", num_parts: 1 } })).status).toBe(400);
    expect((await env.client.artifacts("POST", `mpu/create/${folder}`, { json: { path: "..", num_parts: 1 } })).status).toBe(400);
    expect((await env.client.artifacts("POST", `mpu/create/${folder}`, { json: { path: "a.bin", num_parts: 0 } })).status).toBe(400);
    const viewer = mlflowClient((await makeApiKey("viewer")).key);
    expect((await viewer.artifacts("POST", `mpu/create/${folder}`, { json: { path: "a.bin", num_parts: 1 } })).status).toBe(403);
    expect(readdirSync(join(env.dir), { recursive: true }).length).toBe(before);

    const { upload_id, credentials } = (await env.client.artifacts("POST", `mpu/create/${folder}`, { json: { path: "a.bin", num_parts: 2 } })).body;
    const one = await env.client.artifacts("PUT", partPath(credentials[0].url), { data: "one", anonymous: true });
    // A part outside 1..num_parts, an unknown upload id, a wrong ETag, a missing part, another file.
    expect((await env.client.artifacts("PUT", `mpu/upload/${upload_id}/3`, { data: "x", anonymous: true })).status).toBe(400);
    expect((await env.client.artifacts("PUT", `mpu/upload/${"0".repeat(32)}/1`, { data: "x", anonymous: true })).status).toBe(404);
    const wrongEtag = await env.client.artifacts("POST", `mpu/complete/${folder}`, {
      json: { path: "a.bin", upload_id, parts: [{ part_number: 1, etag: '"beef"', url: credentials[0].url }] },
    });
    expect(wrongEtag.status).toBe(400);
    expect(wrongEtag.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const missing = await env.client.artifacts("POST", `mpu/complete/${folder}`, {
      json: { path: "a.bin", upload_id, parts: [{ part_number: 1, etag: one.headers.get("etag") }, { part_number: 2, etag: "" }] },
    });
    expect(missing.status).toBe(400);
    const otherFile = await env.client.artifacts("POST", `mpu/complete/${folder}`, {
      json: { path: "b.bin", upload_id, parts: [{ part_number: 1, etag: one.headers.get("etag") }] },
    });
    expect(otherFile.status).toBe(400);
    expect((await env.client.artifacts("GET", `artifacts/${folder}/a.bin`)).status).toBe(404);
  });

  it("answers 501 with MLflow's 'not supported' message on the db: store, so the client falls back to one PUT", async () => {
    const { runId, experimentId } = await startRun();
    process.env.ARTIFACT_STORE = "db:";
    resetConfig();
    try {
      const res = await env.client.artifacts("POST", `mpu/create/${experimentId}/${runId}/artifacts`, { json: { path: "a.bin", num_parts: 2 } });
      expect(res.status).toBe(501);
      expect(res.body).toEqual({ error_code: "NOT_IMPLEMENTED", message: UNSUPPORTED_MULTIPART });
      expect(res.body.message.startsWith("Multipart upload is not supported for the current artifact repository")).toBe(true);
    } finally {
      process.env.ARTIFACT_STORE = `file:${env.dir}`;
      resetConfig();
    }
  });
});

describe("stale multipart uploads", () => {
  const HOUR = 3_600_000;
  const staged = (id: string) => join(env.dir, "multipart-uploads", id);

  /** mpu/create plus the first part, as the client starts an upload. */
  async function startUpload(folder: string, file: string) {
    const created = await env.client.artifacts("POST", `mpu/create/${folder}`, { json: { path: file, num_parts: 2 } });
    expect(created.status).toBe(200);
    const { upload_id, credentials } = created.body as { upload_id: string; credentials: { url: string; part_number: number }[] };
    const part = await env.client.artifacts("PUT", partPath(credentials[0]!.url), { data: "first part", anonymous: true });
    expect(part.status).toBe(200);
    return { upload_id, credentials, etag: part.headers.get("etag") ?? "" };
  }

  /** Sends the second part and completes the upload; returns the completion's status. */
  async function finishUpload(folder: string, file: string, upload: Awaited<ReturnType<typeof startUpload>>, data: string) {
    const second = await env.client.artifacts("PUT", partPath(upload.credentials[1]!.url), { data, anonymous: true });
    const completed = await env.client.artifacts("POST", `mpu/complete/${folder}`, {
      json: {
        path: file,
        upload_id: upload.upload_id,
        parts: [
          { part_number: 1, etag: upload.etag },
          { part_number: 2, etag: second.headers.get("etag") },
        ],
      },
    });
    return completed.status;
  }

  it("the daily maintenance job removes the parts of old unfinished uploads, not fresh ones or completed files", async () => {
    const { runId, experimentId } = await startRun();
    const folder = `${experimentId}/${runId}/artifacts`;

    // Started 25 hours ago (only Date is faked) and never completed nor aborted.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 25 * HOUR });
    let stale: Awaited<ReturnType<typeof startUpload>>;
    try {
      stale = await startUpload(folder, "/tmp/abandoned.bin");
    } finally {
      vi.useRealTimers();
    }
    expect(readdirSync(staged(stale.upload_id)).sort()).toEqual(["part-1", "part-1.json", "upload.json"]);
    // Its part URLs have expired.
    expect((await env.client.artifacts("PUT", partPath(stale.credentials[1]!.url), { data: "late", anonymous: true })).status).toBe(404);

    // Started now, still going.
    const fresh = await startUpload(folder, "/tmp/fresh.bin");
    // Completed: the file stays where it was written.
    const done = await startUpload(folder, "/tmp/done.bin");
    expect(await finishUpload(folder, "/tmp/done.bin", done, "+second")).toBe(200);
    // A part that landed after its upload was gone: a folder without a manifest.
    const orphan = "e".repeat(32);
    mkdirSync(staged(orphan), { recursive: true });
    writeFileSync(join(staged(orphan), "part-3"), "late part");

    const job = await enqueue(MAINTENANCE_JOB, {}, { priority: 10 });
    const runner = new WorkerRunner({ handlers: { [MAINTENANCE_JOB]: jobHandlers()[MAINTENANCE_JOB]! }, pollMs: 50 });
    await runner.start();
    try {
      const finished = await waitForJob(job.id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 60_000);
      expect(finished.state).toBe("succeeded");
      expect((finished.result as CleanupResult).deleted.multipartUploads).toBe(2);
    } finally {
      await runner.stop(1000);
    }

    expect(existsSync(staged(stale.upload_id))).toBe(false);
    expect(existsSync(staged(orphan))).toBe(false);
    expect(readdirSync(staged(fresh.upload_id)).sort()).toEqual(["part-1", "part-1.json", "upload.json"]);
    expect((await env.client.artifacts("GET", `artifacts/${folder}/done.bin`)).text).toBe("first part+second");
    // The stale upload is gone for the client too; the fresh one still completes.
    const abort = await env.client.artifacts("POST", `mpu/abort/${folder}`, { json: { path: "/tmp/abandoned.bin", upload_id: stale.upload_id } });
    expect(abort.status).toBe(404);
    expect(await finishUpload(folder, "/tmp/fresh.bin", fresh, "!")).toBe(200);
    expect((await env.client.artifacts("GET", `artifacts/${folder}/fresh.bin`)).text).toBe("first part!");
  });
});
