// The platform's HTTP surface, discovered from the code: every app/**/route.ts and its exported
// methods (the MLflow catch-alls expanded into their endpoint tables), the node:http fast-path routes
// documented at the top of lib/serving/http.ts and in server.ts, and every exported server action
// ("use server" files). Each discovered route can be called the way a client would reach it: route
// handlers and actions directly, the fast path through a real node:http server.
//
// Server actions read the caller from next/headers: a test that calls actions must stub it with
// ./authz-next-stubs (see authz-matrix.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { NextRequest } from "next/server";
import { AppError, type ErrorCode } from "@/lib/errors";
import { mlflowArtifactRoutes, mlflowRoutes, type MlflowRoute } from "@/lib/mlflow";
import { startServingServer, type TestServer } from "../../support/serving";
import { withRequestHeaders } from "./authz-next-stubs";
import type { Method } from "./authz-rules";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type RouteKind = "handler" | "mlflow" | "fast" | "action";

export interface CallInput {
  headers?: Record<string, string>;
  /** A string or bytes is sent as is; anything else as JSON (actions get it as their argument). */
  body?: unknown;
  /** Replaces the sample path parameters (raw strings; catch-alls as arrays). */
  params?: Record<string, string | string[]>;
  /** Appended to the URL (without "?"). */
  query?: string;
}

export interface CallResult {
  status: number;
  text: string;
  headers: Headers;
}

export interface DiscoveredRoute {
  kind: RouteKind;
  method: Method;
  /** Next-style template: /api/v1/runs/[id], /api/2.0/mlflow/runs/get, /settings#createUserAction. */
  route: string;
  /** Where it is defined, for failure messages. */
  source: string;
  /** The body is a file, not JSON (MLflow endpoints marked body: "raw"). */
  rawBody?: boolean;
  call(input?: CallInput): Promise<CallResult>;
}

type Handler = (req: Request, segment: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type ServerAction = (input: unknown) => Promise<{ ok: true; data: unknown } | { ok: false; code: ErrorCode; error: string }>;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules") walk(p, out);
    } else out.push(p);
  }
  return out;
}

/** app/(dashboard)/models/[name]/x.ts → /models/[name]: route groups do not show in URLs. */
function templateOf(file: string): string {
  const segs = relative(join(ROOT, "app"), file).split(sep).slice(0, -1);
  return "/" + segs.filter((s) => !/^\(.*\)$/.test(s)).join("/");
}

/** A sample value for each path parameter: ids that exist nowhere, so allowed calls end in 4xx. */
export function sampleParam(name: string): string | string[] {
  switch (name) {
    case "version":
    case "v":
      return "1";
    case "alias":
      return "champion";
    case "nextauth":
      return ["session"];
    case "path":
      return ["authz", "missing.txt"];
    default:
      return `authz-missing-${name}`;
  }
}

function paramNames(template: string): { name: string; catchAll: boolean }[] {
  return [...template.matchAll(/\[(\.\.\.)?([A-Za-z]+)\]/g)].map((m) => ({ name: m[2]!, catchAll: !!m[1] }));
}

function fillTemplate(template: string, params: Record<string, string | string[]>): string {
  return template.replace(/\[(?:\.\.\.)?([A-Za-z]+)\]/g, (_, n: string) => {
    const v = params[n]!;
    return Array.isArray(v) ? v.map(encodeURIComponent).join("/") : encodeURIComponent(v);
  });
}

function sampleParams(template: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const p of paramNames(template)) {
    const v = sampleParam(p.name);
    out[p.name] = p.catchAll ? (Array.isArray(v) ? v : [v]) : Array.isArray(v) ? v.join("/") : v;
  }
  return out;
}

function bodyInit(body: unknown, headers: Record<string, string>): BodyInit | undefined {
  if (body === undefined) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array || body instanceof ReadableStream) return body as BodyInit;
  headers["content-type"] ??= "application/json";
  return JSON.stringify(body);
}

async function toResult(res: Response): Promise<CallResult> {
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function handlerCaller(method: HttpMethod, template: string, handler: Handler, paramsOf: (p: Record<string, string | string[]>) => Record<string, string | string[]>) {
  return async (input: CallInput = {}): Promise<CallResult> => {
    const params = input.params ?? sampleParams(template);
    const headers: Record<string, string> = { ...input.headers };
    const body = bodyInit(input.body, headers);
    const url = `http://localhost${fillTemplate(template, params)}${input.query ? `?${input.query}` : ""}`;
    // Next hands route handlers a NextRequest (next-auth reads its nextUrl).
    const req = new NextRequest(url, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as ConstructorParameters<typeof NextRequest>[1]);
    return toResult(await handler(req, { params: Promise.resolve(paramsOf(params)) }));
  };
}

/** The catch-all routes whose endpoints live in a table (one rule per endpoint, not per file). */
const DISPATCHERS: Record<string, { table: MlflowRoute[]; base: string }> = {
  "/api/2.0/mlflow/[...path]": { table: mlflowRoutes, base: "/api/2.0/mlflow" },
  "/api/2.0/mlflow-artifacts/[...path]": { table: mlflowArtifactRoutes, base: "/api/2.0/mlflow-artifacts" },
};

async function discoverHandlers(): Promise<DiscoveredRoute[]> {
  const out: DiscoveredRoute[] = [];
  const files = walk(join(ROOT, "app")).filter((f) => f.endsWith(`${sep}route.ts`)).sort();
  for (const file of files) {
    const template = templateOf(file);
    const mod = (await import(file)) as Record<string, unknown>;
    const source = relative(ROOT, file);
    const exported = HTTP_METHODS.filter((m) => typeof mod[m] === "function");
    const dispatcher = DISPATCHERS[template];
    if (dispatcher) {
      for (const r of dispatcher.table) {
        const handler = mod[r.method] as Handler | undefined;
        if (!handler) throw new Error(`${source} does not export ${r.method}, but its table has ${r.method} ${r.path}`);
        // "logged-models/:model_id/tags/*" → /api/2.0/mlflow/logged-models/[model_id]/tags/[...path]
        const route = `${dispatcher.base}/${r.path.replace(/:(\w+)/g, "[$1]").replace(/\*$/, "[...path]")}`;
        // The dispatcher's own catch-all gets the endpoint path: its segments with the parameters filled in.
        const call = handlerCaller(r.method, route, handler, (p) => ({
          path: r.path.split("/").flatMap((seg) => {
            if (seg === "*") return (p.path as string[] | undefined) ?? [];
            return seg.startsWith(":") ? [String(p[seg.slice(1)])] : [seg];
          }),
        }));
        out.push({ kind: "mlflow", method: r.method, route, source, call, rawBody: r.body === "raw" });
      }
      continue;
    }
    for (const m of exported) {
      out.push({ kind: "handler", method: m, route: template, source, call: handlerCaller(m, template, mod[m] as Handler, (p) => p) });
    }
  }
  return out;
}

/**
 * The fast-path routes, read from the route list at the top of lib/serving/http.ts
 * ("//   POST /v2/models/{name}[/versions/{v}]/infer") and server.ts's own health route.
 * Optional parts in [...] expand to both forms, a|b in the last segment to both names.
 */
export function fastRouteTemplates(): { method: HttpMethod; route: string }[] {
  const out: { method: HttpMethod; route: string }[] = [];
  const expand = (t: string): string[] => {
    const m = /\[([^\]]+)\]/.exec(t);
    if (!m) return [t];
    return [...expand(t.slice(0, m.index) + t.slice(m.index + m[0].length)), ...expand(t.slice(0, m.index) + m[1] + t.slice(m.index + m[0].length))];
  };
  const header = readFileSync(join(ROOT, "lib/serving/http.ts"), "utf8").split("\n");
  for (const line of header) {
    if (!line.startsWith("//")) break;
    const m = /^\/\/\s+(GET|POST|PUT|PATCH|DELETE)\s+(\S+)/.exec(line);
    if (!m) continue;
    const raw = m[2]!.replace(/\[\?[^\]]*\]/g, "");
    for (const t of expand(raw)) {
      const i = t.lastIndexOf("/");
      for (const last of t.slice(i + 1).split("|")) {
        out.push({ method: m[1] as HttpMethod, route: (t.slice(0, i + 1) + last).replace(/\{([A-Za-z]+)\}/g, "[$1]") });
      }
    }
  }
  const server = readFileSync(join(ROOT, "server.ts"), "utf8");
  for (const m of server.matchAll(/url\.pathname !== "([^"]+)" \|\| req\.method !== "([A-Z]+)"/g)) {
    out.push({ method: m[2] as HttpMethod, route: m[1]! });
  }
  return out;
}

let fastServer: TestServer | null = null;

/** The serving fast path behind a real node:http server; stop it with stopFastServer(). */
export async function stopFastServer(): Promise<void> {
  await fastServer?.close();
  fastServer = null;
}

function fastCaller(method: HttpMethod, template: string) {
  return async (input: CallInput = {}): Promise<CallResult> => {
    fastServer ??= await startServingServer();
    const params = input.params ?? sampleParams(template);
    const headers: Record<string, string> = { ...input.headers };
    const body = bodyInit(input.body, headers);
    const url = `${fastServer.url}${fillTemplate(template, params)}${input.query ? `?${input.query}` : ""}`;
    const res = await fetch(url, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
    return toResult(res);
  };
}

/** server.ts answers these before Next; the same paths also exist as Next routes (their rule covers both). */
function discoverFast(handlers: DiscoveredRoute[]): DiscoveredRoute[] {
  const known = new Set(handlers.map((h) => `${h.method} ${h.route}`));
  return fastRouteTemplates()
    .filter((t) => !known.has(`${t.method} ${t.route}`))
    .map((t) => ({ kind: "fast" as const, method: t.method, route: t.route, source: "lib/serving/http.ts", call: fastCaller(t.method, t.route) }));
}

const statusOf = (code: ErrorCode) => new AppError(code, "").status;

function actionCaller(fn: ServerAction) {
  return async (input: CallInput = {}): Promise<CallResult> => {
    const r = await withRequestHeaders(input.headers ?? {}, () => fn(input.body === undefined ? {} : input.body));
    const status = r.ok ? 200 : statusOf(r.code);
    return { status, text: JSON.stringify(r), headers: new Headers() };
  };
}

async function discoverActions(): Promise<DiscoveredRoute[]> {
  const out: DiscoveredRoute[] = [];
  const files = walk(join(ROOT, "app"))
    .filter((f) => /\.tsx?$/.test(f))
    .filter((f) => /^\s*(\/\/[^\n]*\n\s*)*["']use server["']/.test(readFileSync(f, "utf8")))
    .sort();
  for (const file of files) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(mod)) {
      if (typeof fn !== "function") continue;
      out.push({ kind: "action", method: "ACTION", route: `${templateOf(file)}#${name}`, source: relative(ROOT, file), call: actionCaller(fn as ServerAction) });
    }
  }
  return out;
}

/** Every route handler, MLflow endpoint, fast-path route and server action. */
export async function discoverRoutes(): Promise<DiscoveredRoute[]> {
  const handlers = await discoverHandlers();
  return [...handlers, ...discoverFast(handlers), ...(await discoverActions())];
}
