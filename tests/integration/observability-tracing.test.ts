// Tracing end to end: a tiny OTLP/HTTP receiver in this process stands in for the collector; the
// server (server.ts's fast path) and a worker run as child processes with OTEL_EXPORTER_OTLP_ENDPOINT
// pointing at it. After a predict request and two jobs (one failing) and a graceful stop (which
// flushes), the receiver holds the HTTP server span, the Prisma spans under it and one span per job.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { enqueue } from "@/lib/jobs";
import { makeApiKey, uid } from "../support/factories";
import { freePort, killChildren, spawnNode, type Child } from "../support/processes";
import { irisWithSite, registerTrained, trainSmall } from "../support/serving";
import { jobType, waitForJob } from "../support/wait";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
  events?: { name: string }[];
}
interface Received {
  service: string;
  span: OtlpSpan;
}

const received: Received[] = [];
const requests: { path: string; contentType: string }[] = [];
let receiver: Server;
let endpoint: string;
let store: string;
const savedStore = process.env.ARTIFACT_STORE;
const NAME = `traced-${uid()}`;

function attr(s: OtlpSpan, key: string): unknown {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
}

beforeAll(async () => {
  // OTLP/HTTP JSON: { resourceSpans: [{ resource: { attributes }, scopeSpans: [{ spans }] }] }.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", contentType: String(req.headers["content-type"]) });
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        for (const ss of rs.scopeSpans) for (const span of ss.spans) received.push({ service, span });
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  store = mkdtempSync(join(tmpdir(), "tracing-"));
  process.env.ARTIFACT_STORE = `file:${store}`;
  resetConfig();
  await registerTrained(NAME, await trainSmall(irisWithSite()), { champion: true });
}, 120_000);

afterAll(async () => {
  await killChildren();
  await new Promise((r) => receiver.close(r));
  if (savedStore === undefined) delete process.env.ARTIFACT_STORE;
  else process.env.ARTIFACT_STORE = savedStore;
  resetConfig();
  rmSync(store, { recursive: true, force: true });
});

const env = () => ({
  DATABASE_URL: inject("databaseUrl"),
  ARTIFACT_STORE: `file:${store}`,
  START_WORKER: "false",
  LOG_LEVEL: "warn",
  LOG_PRETTY: "false",
  PREDICT_RATE_LIMIT: "0",
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  // Export within a moment instead of every 5 s (the stop flushes the rest anyway).
  OTEL_BSP_SCHEDULE_DELAY: "200",
});

async function stop(child: Child): Promise<void> {
  child.proc.kill("SIGTERM");
  const { code } = await child.exited;
  expect(code, child.output()).toBe(0);
}

describe("OpenTelemetry tracing", () => {
  it("exports the server span of a predict request with the Prisma queries inside it", async () => {
    const key = (await makeApiKey("viewer")).key;
    const port = await freePort();
    const server = spawnNode(["--import", "tsx", "tests/support/fast-server.ts", String(port)], { ...env(), LOG_LEVEL: "info" });
    await server.printed(`listening ${port}`);
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/models/${NAME}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-request-id": "traced-request" },
      body: JSON.stringify({ instances: [{ "sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2, site: "north" }] }),
    });
    expect(res.status).toBe(200);
    // Probes and scrapes are not traced.
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    await stop(server);

    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.path === "/v1/traces" && r.contentType.startsWith("application/json"))).toBe(true);
    const web = received.filter((r) => r.service === "mlops-web").map((r) => r.span);
    const http = web.filter((s) => s.kind === 2 /* SERVER */);
    expect(http.map((s) => s.name)).toEqual(["POST /api/v1/models/:name/predict"]);
    const root = http[0]!;
    expect(attr(root, "http.route")).toBe("/api/v1/models/:name/predict");
    expect(String(attr(root, "http.status_code") ?? attr(root, "http.response.status_code"))).toBe("200");
    // Prisma: one operation span per query (key lookup, model and version lookups), in the request's trace.
    const prisma = web.filter((s) => s.name === "prisma:client:operation" && s.traceId === root.traceId);
    expect(prisma.length).toBeGreaterThan(0);
    const byId = new Map(web.map((s) => [s.spanId, s]));
    for (const p of prisma) {
      let s: OtlpSpan | undefined = p;
      while (s?.parentSpanId) s = byId.get(s.parentSpanId);
      expect(s?.spanId).toBe(root.spanId);
    }
    expect(web.some((s) => s.name === "prisma:client:db_query" || s.name === "prisma:engine:db_query")).toBe(true);
    // Log lines written inside the request carry its trace id next to its request id.
    const loaded = server
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "model version loaded for serving");
    expect(loaded).toMatchObject({ requestId: "traced-request", traceId: root.traceId });
  });

  it("exports one span per job with its id and type, with error status when the job fails", async () => {
    const type = jobType();
    const worker = spawnNode(["--import", "tsx", "tests/support/test-worker.ts"], { ...env(), TEST_JOB_TYPE: type, JOB_LEASE_MS: "5000" });
    await worker.printed("ready");
    await new Promise((r) => setTimeout(r, 1_500)); // idle: about 15 polls
    const ok = await enqueue(type, {});
    const bad = await enqueue(type, { fail: "the data is not there" });
    await waitForJob(ok.id, (j) => j.state === "succeeded", "to succeed", 30_000);
    await waitForJob(bad.id, (j) => j.state === "dead", "to fail", 30_000);
    await stop(worker);

    const spans = received.filter((r) => r.service === "mlops-worker").map((r) => r.span);
    const jobSpan = (id: string) => spans.find((s) => s.name === `job ${type}` && attr(s, "mlops.job.id") === id);
    const good = jobSpan(ok.id);
    expect(good).toBeDefined();
    expect(good!.kind).toBe(5 /* CONSUMER */);
    expect(attr(good!, "mlops.job.type")).toBe(type);
    expect(attr(good!, "mlops.job.outcome")).toBe("succeeded");
    expect(good!.status?.code ?? 0).not.toBe(2);
    const failed = jobSpan(bad.id)!;
    expect(attr(failed, "mlops.job.outcome")).toBe("dead");
    expect(failed.status).toMatchObject({ code: 2 /* ERROR */, message: "the data is not there" });
    expect(failed.events?.map((e) => e.name)).toContain("exception");
    // The job's own queries (progress, completion) are children of its span.
    expect(spans.some((s) => s.name === "prisma:client:operation" && s.traceId === good!.traceId && s.spanId !== good!.spanId)).toBe(true);
    // The idle worker polled every 100 ms (claim, reap, heartbeat) without sending a trace each time:
    // every worker trace is either a job's, or the start and stop of the process.
    const jobTraces = new Set(spans.filter((s) => s.name.startsWith("job ")).map((s) => s.traceId));
    const other = new Set(spans.filter((s) => !jobTraces.has(s.traceId)).map((s) => s.traceId));
    expect(other.size).toBeLessThan(8);
    if (process.env.DUMP_SPANS) console.log(JSON.stringify(received.map((r) => [r.service, r.span.name, r.span.kind, r.span.traceId.slice(0, 6), r.span.parentSpanId?.slice(0, 6), r.span.spanId.slice(0, 6)])));
  });
});
