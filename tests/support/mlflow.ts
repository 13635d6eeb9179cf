// Calls the MLflow catch-all route handlers the way the Python client does: GET parameters in the
// query string, a JSON body for every other method.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import * as artifactsRoute from "@/app/api/2.0/mlflow-artifacts/[...path]/route";
import * as mlflowRoute from "@/app/api/2.0/mlflow/[...path]/route";
import { resetConfig } from "@/lib/config";
import { makeApiKey, uid } from "./factories";

type Method = "GET" | "POST" | "PATCH" | "DELETE" | "PUT";

export interface Reply {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export function mlflowClient(key: string | null) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...extra,
  });

  async function call(method: Method, path: string, payload?: Record<string, unknown>): Promise<Reply> {
    const url = new URL(`http://localhost/api/2.0/mlflow/${path}`);
    let body: string | undefined;
    if (method === "GET") {
      for (const [k, v] of Object.entries(payload ?? {})) {
        for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
      }
    } else if (payload) body = JSON.stringify(payload);
    const req = new Request(url, { method, headers: headers({ "content-type": "application/json" }), body });
    const res = await mlflowRoute[method](req, { params: Promise.resolve({ path: path.split("/") }) });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : null };
  }

  async function artifacts(
    method: "GET" | "PUT" | "POST" | "DELETE",
    path: string,
    opts: { query?: Record<string, string>; data?: string | Uint8Array; json?: unknown; anonymous?: boolean } = {},
  ) {
    const url = new URL(`http://localhost/api/2.0/mlflow-artifacts/${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const h = opts.anonymous ? {} : headers(opts.json !== undefined ? { "content-type": "application/json" } : {});
    const data = opts.json !== undefined ? JSON.stringify(opts.json) : opts.data;
    const req = new Request(url, { method, headers: h, body: data as BodyInit | undefined });
    const segments = path.split("/");
    const res = await artifactsRoute[method](req, { params: Promise.resolve({ path: segments }) });
    const buf = Buffer.from(await res.arrayBuffer());
    const text = buf.toString("utf8");
    let body: unknown = null;
    if ((res.headers.get("content-type") ?? "").startsWith("application/json")) body = JSON.parse(text);
    return { status: res.status, text, bytes: buf, body: body as Reply["body"], headers: res.headers };
  }

  return { call, artifacts };
}

/**
 * A test file's MLflow setup: a temporary `file:` artifact store and an editor's client (made in
 * beforeAll), removed in afterAll. Read `env.client` and `env.dir` inside tests.
 */
export function mlflowTestEnv(prefix: string) {
  const env = { dir: "", client: mlflowClient(null) };
  beforeAll(async () => {
    env.dir = mkdtempSync(join(tmpdir(), `mlops-${prefix}-`));
    process.env.ARTIFACT_STORE = `file:${env.dir}`;
    resetConfig();
    env.client = mlflowClient((await makeApiKey("editor")).key);
  });
  afterAll(() => {
    delete process.env.ARTIFACT_STORE;
    resetConfig();
    rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}

/** A new experiment and a run in it, as set_experiment + start_run create them. */
export async function startMlflowRun(client: ReturnType<typeof mlflowClient>, experimentName = `mlflow-${uid()}`) {
  const created = await client.call("POST", "experiments/create", { name: experimentName });
  const experimentId = created.body.experiment_id as string;
  const run = await client.call("POST", "runs/create", { experiment_id: experimentId, start_time: Date.now(), tags: [] });
  return { experimentId, runId: run.body.run.info.run_id as string };
}
