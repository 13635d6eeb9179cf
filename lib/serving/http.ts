// The node:http adapter of the serving routes (server.ts's fast path; tests wrap it in a plain
// node:http server). Bodies are parsed and checked by hand on the hot path: no framework, no schema
// library per request.
//
//   POST /api/v1/models/{name}/predict[?alias=A|?version=N]   this platform's protocol
//   POST /v1/models/{name}:predict                            KServe V1
//   POST /v2/models/{name}[/versions/{v}]/infer               Open Inference Protocol V2
//   GET  /v2/models/{name}[/versions/{v}][/ready]             OIP V2 metadata / readiness
//   GET  /v2/health/live|ready                                OIP V2 server health (no auth)
//   POST /api/v1/predictions/feedback                         outcomes joined to predictions
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Actor } from "../auth";
import { config } from "../config";
import { AppError, invalid, toErrorResponse } from "../errors";
import { currentContext, logger, runWithContext } from "../observability";
import { callerOf, takeToken } from "./auth";
import { recordFeedback } from "./feedback";
import { predictNow, shapeError, type PredictOutcome } from "./predict";
import { aliasTarget, CHAMPION, modelRef, versionTarget } from "./resolve";
import type { ServedModel } from "./served";
import { v2Instances, v2Metadata, v2Response } from "./v2";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** The x-request-id of the response, given by server.ts to servingRoute (see FastRoute there). */
const REQUEST_ID = Symbol("x-request-id");
type ServingResponse = ServerResponse & { [REQUEST_ID]?: string };

function send(res: ServingResponse, status: number, body: string, headers: Record<string, string> = JSON_HEADERS): void {
  // With the length known the response goes out as one plain body, not chunked (writeHead fixes the
  // headers before end() sees the body).
  const all: Record<string, string> = { ...headers, "content-length": String(Buffer.byteLength(body)) };
  const requestId = res[REQUEST_ID];
  if (requestId !== undefined) all["x-request-id"] = requestId;
  res.writeHead(status, all);
  res.end(body);
}

function sendError(res: ServerResponse, err: unknown): void {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) logger().error({ err }, "serving request failed");
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (err instanceof AppError && err.code === "rate_limited") {
    headers["retry-after"] = String((err.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds ?? 1);
  }
  send(res, status, JSON.stringify(body), headers);
}

/**
 * Reads the whole body, then calls `done` with it, or `fail` once with the error (too large, aborted).
 * Callbacks rather than a promise: the predict path stays free of promises, and `done` runs in the
 * request's log context (stream events do not carry it).
 */
function onBody(req: IncomingMessage, done: (text: string) => void, fail: (err: unknown) => void): void {
  const limit = config().MAX_BODY_BYTES;
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    fail(new AppError("payload_too_large", `Request body is over the ${limit}-byte limit (MAX_BODY_BYTES)`));
    return;
  }
  const ctx = currentContext();
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > limit && !failed) {
      failed = true;
      fail(new AppError("payload_too_large", `Request body is over the ${limit}-byte limit (MAX_BODY_BYTES)`));
    }
    if (!failed) chunks.push(c);
  });
  req.on("end", () => {
    if (failed) return;
    const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
    if (ctx) runWithContext(ctx, () => done(text));
    else done(text);
  });
  req.on("error", (e) => {
    if (!failed) {
      failed = true;
      fail(e);
    }
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => onBody(req, resolve, reject));
}

function parseBody(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw invalid(`Malformed JSON body: ${(err as Error).message}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw shapeError("The body must be a JSON object");
  return v as Record<string, unknown>;
}

function unitIdOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" && v.length > 0 && v.length <= 200) return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  throw shapeError("'unit_id' must be a non-empty string of at most 200 characters");
}

/** ?alias= and ?version= of the predict route (at most one). */
function choice(url: URL): { alias?: string; version?: number } {
  if (url.search === "") return {};
  const alias = url.searchParams.get("alias");
  const version = url.searchParams.get("version");
  if (alias !== null && version !== null) throw invalid("Give ?alias= or ?version=, not both");
  if (version !== null) {
    if (!/^[1-9]\d{0,8}$/.test(version)) throw invalid(`?version= must be a positive whole number, got '${version}'`);
    return { version: Number(version) };
  }
  if (alias !== null) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(alias)) throw invalid(`?alias= must be 1-64 letters, digits, '_' or '-', got '${alias}'`);
    return { alias };
  }
  return {};
}

function decodeName(s: string): string {
  if (s.length > 0 && !s.includes("%")) return s;
  try {
    const name = decodeURIComponent(s);
    if (name.length > 0) return name;
  } catch {
    // falls through
  }
  throw invalid(`'${s}' is not a valid model name in a URL`);
}

/** Authenticates and spends one token; sync when the key is cached. */
function admit(req: IncomingMessage): Actor | Promise<Actor> {
  const a = callerOf(req.headers.authorization, req.headers.cookie);
  if (a instanceof Promise) {
    return a.then((actor) => {
      takeToken(actor);
      return actor;
    });
  }
  takeToken(a);
  return a;
}

/**
 * The body of a predict response: {predictions, probabilities?, prediction_ids, model, arm?}.
 * Written out directly rather than built as objects for JSON.stringify: the probabilities would
 * otherwise be copied into one array per row first (a third of the cost for a one-row request).
 * Same text as JSON.stringify of those objects (tests/unit/serving-response.test.ts).
 */
export function predictionBody(o: PredictOutcome): string {
  const p = o.scored.probabilities;
  let out = `{"predictions":${JSON.stringify(o.scored.predictions)}`;
  if (p) {
    const k = o.scored.nClasses;
    out += ',"probabilities":[';
    for (let r = 0; r < o.ids.length; r++) {
      out += r === 0 ? "[" : ",[";
      for (let c = 0; c < k; c++) {
        const v = p[r * k + c]!;
        // JSON has no NaN or Infinity: JSON.stringify writes them as null.
        out += (c === 0 ? "" : ",") + (Number.isFinite(v) ? String(v) : "null");
      }
      out += "]";
    }
    out += "]";
  }
  out += `,"prediction_ids":${JSON.stringify(o.ids)},"model":${JSON.stringify({ name: o.served.modelName, version: o.served.version })}`;
  if (o.arm !== null) out += `,"arm":${JSON.stringify(o.arm)}`;
  return `${out}}`;
}

/**
 * Predict routes (this platform's and KServe V1). Without a promise from request to response when
 * the key, the model and its A/B test are cached: each promise costs its allocation, a microtask
 * and (with the log context's AsyncLocalStorage on) the async-hooks bookkeeping, per request.
 */
function handlePredict(req: IncomingMessage, res: ServerResponse, url: URL, name: string, kserve: boolean): void {
  const started = process.hrtime.bigint();
  let actor: Actor | Promise<Actor>;
  try {
    actor = admit(req);
  } catch (err) {
    sendError(res, err);
    return;
  }
  // (Callbacks inline and unnamed: under tsx, keepNames makes each named closure cost an
  // Object.defineProperty when it is created.)
  if (actor instanceof Promise) {
    // A key not cached yet: its lookup first (a bad key is a 401 whatever the body).
    actor.then(() => readPredict(req, res, url, name, kserve, started)).catch((err: unknown) => sendError(res, err));
  } else readPredict(req, res, url, name, kserve, started);
}

function readPredict(req: IncomingMessage, res: ServerResponse, url: URL, name: string, kserve: boolean, started: bigint): void {
  try {
    onBody(
      req,
      (text) => respondPredict(res, url, name, kserve, text, started),
      (err) => sendError(res, err),
    );
  } catch (err) {
    sendError(res, err);
  }
}

function respondPredict(res: ServerResponse, url: URL, name: string, kserve: boolean, text: string, started: bigint): void {
  try {
    const body = parseBody(text);
    let instances = body.instances;
    if (instances === undefined && kserve) instances = body.inputs;
    if (!Array.isArray(instances)) throw shapeError(`'instances' must be an array of rows (objects keyed by feature, or arrays in schema order)`);
    const o = predictNow({ model: name, instances, unitId: unitIdOf(body.unit_id), ...(kserve ? {} : choice(url)), started });
    if (o instanceof Promise) o.then((r) => sendPrediction(res, r, kserve)).catch((err: unknown) => sendError(res, err));
    else sendPrediction(res, o, kserve);
  } catch (err) {
    sendError(res, err);
  }
}

function sendPrediction(res: ServerResponse, o: PredictOutcome, kserve: boolean): void {
  send(res, 200, kserve ? JSON.stringify({ predictions: o.scored.predictions }) : predictionBody(o));
  o.shadow?.();
}

async function servedFor(name: string, version: string | undefined): Promise<ServedModel> {
  const ref = await modelRef(name);
  if (version === undefined) return aliasTarget(ref, CHAMPION);
  if (!/^[1-9]\d{0,8}$/.test(version)) throw invalid(`Version must be a positive whole number, got '${version}'`);
  return versionTarget(ref, Number(version));
}

async function handleV2(req: IncomingMessage, res: ServerResponse, name: string, version: string | undefined, action: string): Promise<void> {
  const started = process.hrtime.bigint();
  try {
    const a = admit(req);
    if (a instanceof Promise) await a;
    if (action === "infer") {
      const body = parseBody(await readBody(req));
      const params = body.parameters;
      const unitId = params !== null && typeof params === "object" ? unitIdOf((params as Record<string, unknown>).unit_id) : undefined;
      if (version !== undefined && !/^[1-9]\d{0,8}$/.test(version)) throw invalid(`Version must be a positive whole number, got '${version}'`);
      const instances = v2Instances(body);
      const o = await predictNow({ model: name, instances, unitId, ...(version === undefined ? {} : { version: Number(version) }), started });
      send(res, 200, JSON.stringify(v2Response(o, typeof body.id === "string" ? body.id : undefined)));
      o.shadow?.();
      return;
    }
    const served = await servedFor(name, version);
    if (action === "ready") send(res, 200, JSON.stringify({ name: served.modelName, version: served.version, ready: true }));
    else send(res, 200, JSON.stringify(v2Metadata(served)));
  } catch (err) {
    sendError(res, err);
  }
}

async function handleFeedback(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const actor = await admit(req);
    const body = parseBody(await readBody(req));
    const record = await recordFeedback(actor, body);
    send(res, 201, JSON.stringify(record));
  } catch (err) {
    sendError(res, err);
  }
}

/** The routes servingRoute answers, as templates for the HTTP metrics' route label. */
export const SERVING_ROUTE_TEMPLATES = [
  "/api/v1/models/[name]/predict",
  "/api/v1/predictions/feedback",
  "/v1/models/[name]:predict",
  "/v2/health/live",
  "/v2/health/ready",
  "/v2/models/[name]",
  "/v2/models/[name]/ready",
  "/v2/models/[name]/infer",
  "/v2/models/[name]/versions/[version]",
  "/v2/models/[name]/versions/[version]/ready",
  "/v2/models/[name]/versions/[version]/infer",
] as const;

const V2_MODEL = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(infer|ready))?$/;

/**
 * The fast-path route of server.ts: answers serving requests, returns false (synchronously) for
 * every other request so it goes on to Next. `requestId` goes in the response's x-request-id header.
 */
export function servingRoute(req: IncomingMessage, res: ServerResponse, url: URL, requestId?: string): boolean | Promise<boolean> {
  const path = url.pathname;
  if (requestId !== undefined) (res as ServingResponse)[REQUEST_ID] = requestId;
  const method = req.method;
  if (path.startsWith("/api/v1/")) {
    if (method === "POST" && path.startsWith("/api/v1/models/") && path.endsWith("/predict")) {
      const seg = path.slice("/api/v1/models/".length, -"/predict".length);
      if (seg.length === 0 || seg.includes("/")) return false;
      const name = nameOf(res, seg);
      if (name !== null) handlePredict(req, res, url, name, false);
      return true;
    }
    if (method === "POST" && path === "/api/v1/predictions/feedback") return handleFeedback(req, res).then(() => true);
    return false;
  }
  if (path.startsWith("/v1/models/") && path.endsWith(":predict")) {
    if (method !== "POST") return false;
    const seg = path.slice("/v1/models/".length, -":predict".length);
    if (seg.length === 0 || seg.includes("/")) return false;
    const name = nameOf(res, seg);
    if (name !== null) handlePredict(req, res, url, name, true);
    return true;
  }
  if (path.startsWith("/v2/")) {
    if (method === "GET" && (path === "/v2/health/live" || path === "/v2/health/ready")) {
      send(res, 200, path.endsWith("live") ? '{"live":true}' : '{"ready":true}');
      return true;
    }
    const m = V2_MODEL.exec(path);
    if (!m) return false;
    const action = m[3] ?? "metadata";
    if ((action === "infer") !== (method === "POST") || (method !== "GET" && method !== "POST")) return false;
    return withName(res, m[1]!, (name) => handleV2(req, res, name, m[2], action));
  }
  return false;
}

function withName(res: ServerResponse, seg: string, fn: (name: string) => Promise<void>): boolean | Promise<boolean> {
  const name = nameOf(res, seg);
  return name === null ? true : fn(name).then(() => true);
}

/** The decoded model name of a path segment, or null once a 400 went out. */
function nameOf(res: ServerResponse, seg: string): string | null {
  try {
    return decodeName(seg);
  } catch (err) {
    sendError(res, err);
    return null;
  }
}
