// Serving test helpers: a trained model registered the way training registers it (run artifacts +
// model version), and the serving routes behind a real node:http server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { invalidateAssignmentCache } from "@/lib/abtest";
import { db, newId } from "@/lib/db";
import { trainModel, type Column, type Table, type TrainResult } from "@/lib/ml";
import { createModelVersion, createRegisteredModel, promote } from "@/lib/registry";
import { servingRoute } from "@/lib/serving";
import { createRun, uploadRunArtifact } from "@/lib/tracking";
import { loadSharedDataset } from "./ml-table";

/** Iris with one categorical column added (`site`, three values), so both encoders are exercised. */
export function irisWithSite(): Table {
  const iris = loadSharedDataset("iris");
  const site: Column = { name: "site", type: "categorical", values: Array.from({ length: iris.rowCount }, (_, i) => ["north", "south", "east"][i % 3]!) };
  return { rowCount: iris.rowCount, columns: [...iris.columns, site] };
}

export async function trainSmall(table: Table, target = "target", seed = 7): Promise<TrainResult> {
  return trainModel(table, { target, family: "linear", params: { epochs: 40, patience: 0, learning_rate: 0.1 }, seed, importance: false });
}

/** Stores a trained model as run artifacts and registers it as the next version of `name`. */
export async function registerTrained(name: string, trained: TrainResult, opts: { champion?: boolean } = {}): Promise<number> {
  const run = await createRun(null, { name: `serving-${name}` });
  await uploadRunArtifact(null, run.id, "model/manifest.json", JSON.stringify(trained.manifest));
  for (const [file, bytes] of trained.files) await uploadRunArtifact(null, run.id, `model/${file}`, bytes);
  await createRegisteredModel(null, { name }).catch(() => undefined);
  const mv = await createModelVersion(null, name, { source: `${run.artifactUri}/model`, runId: run.id });
  if (opts.champion) await promote(null, name, mv.version);
  return mv.version;
}

/**
 * A running A/B test on model `name`, written straight to the database (no minimum samples, no
 * audit): arms by version number; a shadow arm has weight 0 and `shadow: true`. Returns its id.
 */
export async function runningAbTest(name: string, arms: { name: string; version: number; weight: number; shadow?: boolean }[]): Promise<string> {
  const model = await db().registeredModel.findUniqueOrThrow({ where: { name }, include: { versions: true } });
  const vid = (n: number) => model.versions.find((v) => v.version === n)!.id;
  const id = newId();
  await db().abTest.create({
    data: {
      id,
      name: `t-${id.slice(0, 8)}`,
      modelId: model.id,
      state: "running",
      metricKind: "conversion",
      config: JSON.stringify({ arm_order: arms.filter((a) => !a.shadow).map((a) => a.name) }),
      startedAt: new Date(),
      arms: { create: arms.map((a) => ({ id: newId(), name: a.name, versionId: vid(a.version), weight: a.weight, isShadow: !!a.shadow })) },
    },
  });
  invalidateAssignmentCache(model.id);
  return id;
}

export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The serving fast path in a plain node:http server (what server.ts runs before Next). */
export async function startServingServer(): Promise<TestServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const handled = servingRoute(req, res, url);
    const fallback = (h: boolean) => {
      if (!h) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end('{"error":{"code":"not_found","message":"no such route"}}');
      }
    };
    if (handled instanceof Promise) void handled.then(fallback);
    else fallback(handled);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function post(base: string, path: string, body: unknown, key?: string, raw?: string) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function get(base: string, path: string, key?: string) {
  const res = await fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
