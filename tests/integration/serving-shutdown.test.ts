// SIGTERM under load against server.ts (its fast path, in a child process, without Next: only one
// Next dev server may run per checkout): after the process exits, the prediction log holds exactly
// one row per 200 response the clients received.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { db } from "@/lib/db";
import { makeApiKey, uid } from "../support/factories";
import { killChildren, spawnNode, type Child } from "../support/processes";
import { irisWithSite, registerTrained, trainSmall } from "../support/serving";

let store: string;
const savedStore = process.env.ARTIFACT_STORE;
const NAME = `shutdown-${uid()}`;
let key: string;
let server: Child;
const port = 4100 + Math.floor(Math.random() * 400);

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), "serving-shutdown-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  resetConfig();
  await registerTrained(NAME, await trainSmall(irisWithSite()), { champion: true });
  key = (await makeApiKey("viewer")).key;
  server = spawnNode(["--import", "tsx", "tests/support/fast-server.ts", String(port)], {
    DATABASE_URL: inject("databaseUrl"),
    ARTIFACT_STORE: `file:${store}`,
    START_WORKER: "false",
    LOG_LEVEL: "warn",
    LOG_PRETTY: "false",
    PREDICT_RATE_LIMIT: "0",
  });
  const deadline = Date.now() + 110_000;
  for (;;) {
    if (server.proc.exitCode !== null) throw new Error(`server exited:\n${server.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server did not start:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}, 120_000);

afterAll(async () => {
  await killChildren();
  if (savedStore === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = savedStore;
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

describe("graceful shutdown", () => {
  it("logs exactly the predictions that were answered 200 when SIGTERM arrives under load", async () => {
    const body = JSON.stringify({
      instances: [{ "sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2, site: "north" }],
    });
    const answered: string[] = [];
    let refused = 0;
    const client = async () => {
      for (;;) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/api/v1/models/${NAME}/predict`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
            body,
          });
          const json = (await r.json()) as { prediction_ids?: string[] };
          if (r.status === 200) answered.push(...json.prediction_ids!);
          else refused++;
        } catch {
          return; // the server is gone
        }
      }
    };
    // Warm: key lookup and model load happen on the first request.
    const first = await fetch(`http://127.0.0.1:${port}/api/v1/models/${NAME}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body,
    });
    expect(first.status).toBe(200);
    answered.push(...((await first.json()) as { prediction_ids: string[] }).prediction_ids);
    const clients = Array.from({ length: 8 }, client);
    await new Promise((r) => setTimeout(r, 2000));
    server.proc.kill("SIGTERM");
    const { code } = await server.exited;
    await Promise.all(clients);
    expect(code).toBe(0);
    expect(refused).toBe(0);
    expect(answered.length).toBeGreaterThan(10);
    const model = await db().registeredModel.findUniqueOrThrow({ where: { name: NAME } });
    const logged = await db().predictionLog.findMany({ where: { modelId: model.id }, select: { id: true } });
    expect(logged.length).toBe(answered.length);
    expect(new Set(logged.map((l) => l.id))).toEqual(new Set(answered));
  }, 60_000);
});
