// Bad-input corpus: hostile bodies against every JSON route (generated from the discovered route
// list and the request schemas of the OpenAPI document), every upload, artifact paths that try to
// leave their folder, SQL-looking filters, and spreadsheet formulas in exported CSVs. Every refused
// request gets a 4xx (413 for a 50 MB body), never a 5xx, and changes nothing: the row count of
// every table and the files of the artifact store are the same before and after.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as openapi from "@/app/api/v1/openapi.json/route";
import { resetConfig } from "@/lib/config";
import { WorkerRunner } from "@/lib/jobs";
import { BATCH_JOB } from "@/lib/serving";
import { createRun, uploadRunArtifact, type Run } from "@/lib/tracking";
import { jobHandlers } from "@/workers/handlers";
import { uid } from "../support/factories";
import { splitLine } from "../support/ml-table";
import { irisWithSite, registerTrained, trainSmall } from "../support/serving";
import { waitForJob } from "../support/wait";
import { adminHeaders } from "./support/authz-principals";
import { discoverRoutes, stopFastServer, type CallResult, type DiscoveredRoute } from "./support/authz-routes";
import { COMMON_FIELDS, genericCases, schemaCases, SQL_FILTERS, TRAVERSAL_PATHS, type BadCase, type BodySchema } from "./support/bad-input-corpus";
import { NOT_CALLED } from "./support/authz-rules";
import { snapshot, tableNames, type Snapshot } from "./support/bad-input-snapshot";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => import("./support/authz-next-stubs"));
vi.mock("next/cache", () => import("./support/authz-next-stubs"));

/** Routes whose body is a file (CSV or artifact bytes), not JSON: they get the upload cases. */
const UPLOADS = new Set([
  "POST /api/v1/datasets",
  "POST /api/v1/models/[name]/batch-predictions",
  "POST /api/v1/models/[name]/drift/reports/csv",
  "PUT /api/v1/runs/[id]/artifacts/[...path]",
  "PUT /api/2.0/mlflow-artifacts/artifacts/[...path]",
]);

let base: string;
const savedStore = process.env.ARTIFACT_STORE;
let routes: DiscoveredRoute[];
let admin: Record<string, string>;
let schemas: Map<string, BodySchema>;
/** A served model, so the upload routes of a model read the body instead of answering 404. */
const MODEL = `bad-input-${uid()}`;

beforeAll(async () => {
  // The store sits one level down, so a file written outside it still shows in the snapshot.
  base = mkdtempSync(join(tmpdir(), "bad-input-"));
  process.env.ARTIFACT_STORE = `file:${join(base, "store")}`;
  resetConfig();
  routes = await discoverRoutes();
  admin = await adminHeaders();
  await registerTrained(MODEL, await trainSmall(irisWithSite()), { champion: true });
  schemas = new Map();
  const doc = (await openapi.GET().json()) as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: BodySchema }> } }>>;
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      if (schema) schemas.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, "[$1]")}`, schema);
    }
  }
});

afterAll(async () => {
  await stopFastServer();
  if (savedStore === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = savedStore;
  resetConfig();
  rmSync(base, { recursive: true, force: true });
});

const key = (r: { method: string; route: string }) => `${r.method} ${r.route}`;

function judge(res: CallResult, want: number | undefined): string | null {
  if (want !== undefined ? res.status === want : res.status >= 400 && res.status < 500) return null;
  return `want ${want ?? "4xx"}, got ${res.status} ${res.text.slice(0, 300)}`;
}

/** Runs the cases, then checks that nothing changed; returns one line per problem. */
async function corpus(route: DiscoveredRoute, cases: (BadCase & { params?: Record<string, string | string[]>; query?: string })[]): Promise<string[]> {
  const problems: string[] = [];
  const before = await snapshot(base);
  for (const c of cases) {
    const headers = { ...admin, "content-type": c.contentType ?? "application/json" };
    let res: CallResult;
    try {
      res = await route.call({ headers, body: typeof c.body === "function" ? c.body() : c.body, params: c.params, query: c.query });
    } catch (err) {
      problems.push(`${key(route)} — ${c.name}: threw ${(err as Error).message.slice(0, 300)}`);
      continue;
    }
    const bad = judge(res, c.status);
    if (bad) problems.push(`${key(route)} — ${c.name}: ${bad}`);
  }
  const after = await snapshot(base);
  problems.push(...changes(key(route), before, after));
  return problems;
}

function changes(what: string, before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [t, n] of Object.entries(after.rows)) if (before.rows[t] !== n) out.push(`${what}: table ${t} went from ${before.rows[t]} to ${n} rows`);
  const added = after.files.filter((f) => !before.files.includes(f));
  if (added.length) out.push(`${what}: files appeared: ${added.join(", ")}`);
  return out;
}

/** Rows the parser lets through but no model can score: non-finite and mistyped feature values. */
function rowCases(r: DiscoveredRoute): BadCase[] {
  const row = (v: string) => `{"sepal length (cm)":${v},"sepal width (cm)":3.5,"petal length (cm)":1.4,"petal width (cm)":0.2,"site":"north"}`;
  const values: [string, string][] = [["1e999 (Infinity)", "1e999"], ["-1e999 (-Infinity)", "-1e999"], ["an object", '{"a":1}'], ["a 100,000-deep array", "[".repeat(100_000) + "]".repeat(100_000)]];
  if (r.route.startsWith("/v2/")) {
    return values.map(([name, v]) => ({
      name: `a tensor holding ${name}`,
      body: `{"inputs":[{"name":"sepal length (cm)","shape":[1],"datatype":"FP64","data":[${v}]}]}`,
    }));
  }
  return values.map(([name, v]) => ({ name: `a feature holding ${name}`, body: `{"instances":[${row(v)}]}` }));
}

const isJsonRoute = (r: DiscoveredRoute) =>
  r.kind !== "action" && !r.rawBody && !UPLOADS.has(key(r)) && !NOT_CALLED.has(key(r)) && (["POST", "PUT", "PATCH"].includes(r.method) || (r.kind === "mlflow" && r.method === "DELETE"));

describe("bad input", () => {
  it("knows every upload route it names", () => {
    const found = new Set(routes.map(key));
    expect([...UPLOADS].filter((u) => !found.has(u))).toEqual([]);
  });

  it("generates cases for every JSON route and every request schema", () => {
    expect(routes.filter(isJsonRoute).length).toBeGreaterThan(50);
    // Every request schema of the OpenAPI document belongs to a discovered route, so its cases run.
    const found = new Set(routes.map(key));
    expect([...schemas.keys()].filter((k) => !found.has(k))).toEqual([]);
    expect(schemas.size).toBeGreaterThan(20);
  });

  // One test per kind of route, each with its own time budget (the corpus is large).
  for (const kind of ["handler", "mlflow", "fast"] as const) {
    it(`refuses malformed, non-object, deep, non-finite, mistyped and oversized JSON bodies on every ${kind} JSON route, changing nothing`, async () => {
      const problems: string[] = [];
      for (const r of routes.filter((x) => x.kind === kind && isJsonRoute(x))) {
        const schema = schemas.get(key(r));
        // Routes that read a JSON body: the ones with a schema, and every MLflow and fast-path route.
        const readsBody = schema !== undefined || r.kind !== "handler";
        const fields = schema?.properties ? Object.keys(schema.properties) : COMMON_FIELDS;
        // The fast path scores a real model, so hostile rows reach the encoder instead of a 404.
        const params = kind === "fast" && r.route.includes("[name]") ? { name: MODEL, v: "1" } : undefined;
        const cases = [...genericCases(readsBody, fields), ...schemaCases(schema), ...(params ? rowCases(r) : [])].map((c) => ({ ...c, params }));
        problems.push(...(await corpus(r, cases)));
      }
      expect(problems).toEqual([]);
    }, 150_000);
  }

  it("refuses wrong-typed and deeply nested input to every server action, changing nothing", async () => {
    const problems: string[] = [];
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 10_000; i++) cur = (cur.a = {}) as Record<string, unknown>;
    for (const r of routes.filter((x) => x.kind === "action")) {
      const before = await snapshot(base);
      for (const [name, input] of [["array", []], ["string", "text"], ["null", null], ["number", 42], ["deep object", deep], ["wrong fields", { id: 1, name: [], input: true }]] as const) {
        const res = await r.call({ headers: admin, body: input });
        const bad = judge(res, undefined);
        if (bad) problems.push(`${key(r)} — ${name}: ${bad}`);
      }
      problems.push(...changes(key(r), before, await snapshot(base)));
    }
    expect(problems).toEqual([]);
  });

  describe("uploads", () => {
    const boundary = "----bad-input-boundary";
    const uploadCases = (): BadCase[] => [
      { name: "JSON instead of a CSV", body: '{"a": 1}', contentType: "application/json" },
      { name: "multipart without a boundary", body: "--x\r\n\r\n", contentType: "multipart/form-data" },
      { name: "multipart cut off", body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,b\n1,2`, contentType: `multipart/form-data; boundary=${boundary}` },
      { name: "multipart without a file part", body: `--${boundary}\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` },
      { name: "empty CSV", body: "", contentType: "text/csv" },
    ];

    it("refuses malformed uploads on every upload route, changing nothing", async () => {
      const problems: string[] = [];
      for (const r of routes.filter((x) => UPLOADS.has(key(x)) && !x.route.includes("artifacts"))) {
        const extra: BadCase[] = r.route === "/api/v1/datasets"
          ? [
              { name: "binary data with NUL bytes", body: new Uint8Array(4096).fill(0), contentType: "text/csv" },
              { name: "a 50 MB header line", body: new Uint8Array(50 * 1024 * 1024).fill(0x61), contentType: "text/csv" },
            ]
          : [];
        const dataset = r.route === "/api/v1/datasets";
        const cases = [...uploadCases(), ...extra].map((c) => ({
          ...c,
          query: dataset ? `name=bad-${uid()}` : undefined,
          params: dataset ? undefined : { name: MODEL },
        }));
        problems.push(...(await corpus(r, cases)));
      }
      expect(problems).toEqual([]);
    });

    it("refuses dataset names that are paths or SQL", async () => {
      const r = routes.find((x) => key(x) === "POST /api/v1/datasets")!;
      const names = ["../escaped", "/etc/passwd", "a/b", "x'; DROP TABLE Dataset; --", "..%2Fescaped"];
      const problems = await corpus(r, names.map((n) => ({ name: `name ${n}`, body: "a,b\n1,2\n", contentType: "text/csv", query: `name=${encodeURIComponent(n)}` })));
      expect(problems).toEqual([]);
    });
  });

  describe("artifact paths", () => {
    let run: Run;
    beforeAll(async () => {
      run = await createRun(null, { name: `bad-input-${uid()}` });
      await uploadRunArtifact(null, run.id, "model/ok.txt", "ok");
    });

    it("refuses paths that leave the run's folder, on upload, download and listing, writing nothing", async () => {
      const routeOf = (k: string) => routes.find((x) => key(x) === k)!;
      const put = routeOf("PUT /api/v1/runs/[id]/artifacts/[...path]");
      const get = routeOf("GET /api/v1/runs/[id]/artifacts/[...path]");
      const list = routeOf("GET /api/v1/runs/[id]/artifacts");
      const mlPut = routeOf("PUT /api/2.0/mlflow-artifacts/artifacts/[...path]");
      const mlGet = routeOf("GET /api/2.0/mlflow-artifacts/artifacts/[...path]");
      const mlList = routeOf("GET /api/2.0/mlflow/artifacts/list");
      const mlRoot = [run.experimentId, run.id, "artifacts"];
      const problems: string[] = [];
      for (const t of TRAVERSAL_PATHS) {
        const path = t.segments;
        const flat = path.join("/");
        const mlPath = t.atRoot ? path : [...mlRoot, ...path];
        const cases: [DiscoveredRoute, Parameters<DiscoveredRoute["call"]>[0]][] = [
          [put, { params: { id: run.id, path }, body: "pwned" }],
          [get, { params: { id: run.id, path } }],
          [list, { params: { id: run.id }, query: `path=${encodeURIComponent(flat)}` }],
          [mlPut, { params: { path: mlPath }, body: "pwned" }],
          [mlGet, { params: { path: mlPath } }],
          [mlList, { query: `run_id=${run.id}&path=${encodeURIComponent(flat)}` }],
        ];
        const before = await snapshot(base);
        for (const [r, input] of cases) {
          const res = await r.call({ ...input, headers: { ...admin, "content-type": "application/octet-stream" } });
          // 400 names the bad path; an absolute or drive path may also be "not found" under the run.
          if (res.status !== 400) problems.push(`${key(r)} — ${t.name}: want 400, got ${res.status} ${res.text.slice(0, 200)}`);
        }
        problems.push(...changes(`artifact path ${t.name}`, before, await snapshot(base)));
      }
      expect(problems).toEqual([]);
    });
  });

  it("refuses SQL-looking filters with 400 and leaves every table in place", async () => {
    const tablesBefore = await tableNames();
    const by = (k: string) => routes.find((x) => key(x) === k)!;
    const targets: [DiscoveredRoute, (f: string) => Parameters<DiscoveredRoute["call"]>[0]][] = [
      [by("POST /api/v1/runs/search"), (f) => ({ body: { filter: f } })],
      [by("GET /api/v1/experiments"), (f) => ({ query: `filter=${encodeURIComponent(f)}` })],
      [by("GET /api/v1/models"), (f) => ({ query: `filter=${encodeURIComponent(f)}` })],
      [by("POST /api/2.0/mlflow/runs/search"), (f) => ({ body: { experiment_ids: ["0"], filter: f } })],
      [by("GET /api/2.0/mlflow/experiments/search"), (f) => ({ query: `filter=${encodeURIComponent(f)}` })],
      [by("GET /api/2.0/mlflow/registered-models/search"), (f) => ({ query: `filter=${encodeURIComponent(f)}` })],
      [by("GET /api/2.0/mlflow/model-versions/search"), (f) => ({ query: `filter=${encodeURIComponent(f)}` })],
      [by("ACTION /experiments#countRunsAction"), (f) => ({ body: { experimentId: "0", filter: f, view: "active" } })],
    ];
    const problems: string[] = [];
    const before = await snapshot(base);
    for (const [r, input] of targets) {
      for (const { filter, literal } of SQL_FILTERS) {
        const res = await r.call({ ...input(filter), headers: admin });
        // A quoted SQL string is only a value to compare with: a filter that matches nothing, or a 400
        // where the grammar has no such field. Everything else is a syntax error.
        const ok = literal ? res.status === 200 || res.status === 400 : res.status === 400;
        if (!ok) problems.push(`${key(r)} — ${filter}: got ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    problems.push(...changes("SQL-looking filters", before, await snapshot(base)));
    expect(problems).toEqual([]);
    expect(await tableNames()).toEqual(tablesBefore);
  });

  it("neutralizes spreadsheet formulas in the batch predictions CSV", async () => {
    const name = MODEL;
    const header = "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),site,id";
    const evil = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2-cmd", "@SUM(A1)", "\tx=1", "\rx=1"];
    const lines = evil.map((e) => `5.1,3.5,1.4,-0.2,north,"${e.replace(/"/g, '""')}"`);
    const csv = [header, ...lines, "5.1,3.5,1.4,0.2,=1+1,plain"].join("\n") + "\n";
    const r = routes.find((x) => key(x) === "POST /api/v1/models/[name]/batch-predictions")!;
    const started = await r.call({ headers: { ...admin, "content-type": "text/csv" }, body: csv, params: { name } });
    expect(started.status, started.text).toBe(202);
    const { id } = JSON.parse(started.text) as { id: string };
    const runner = new WorkerRunner({ handlers: { [BATCH_JOB]: jobHandlers()[BATCH_JOB]! }, pollMs: 50 });
    await runner.start();
    try {
      const job = await waitForJob(id, (j) => j.state !== "queued" && j.state !== "running", "finishes", 60_000);
      expect(job.state, job.error ?? "").toBe("succeeded");
    } finally {
      await runner.stop();
    }
    const download = routes.find((x) => key(x) === "GET /api/v1/models/[name]/batch-predictions/[id]/download")!;
    const res = await download.call({ headers: admin, params: { name, id } });
    expect(res.status).toBe(200);
    const rows = res.text.trimEnd().split("\n").slice(1).map((l) => splitLine(l));
    const ids = rows.map((cells) => cells[5]!);
    // Each formula comes back as text (a leading single quote); the numbers, -0.2 included, stay numbers.
    expect(ids.slice(0, evil.length)).toEqual(evil.map((e) => `'${e}`));
    expect(rows.at(-1)![4]).toBe("'=1+1");
    expect(rows.every((cells) => cells[3] === "-0.2" || cells[3] === "0.2")).toBe(true);
    for (const cells of rows) for (const cell of cells) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+@\t\r]|^-(?![\d.])/);
  });
});
