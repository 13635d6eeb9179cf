// MLflow's REST conventions: GET parameters in the query string, other methods a JSON body (DELETE
// too), errors as {"error_code", "message"} with MLflow's HTTP statuses. A table of routes maps
// "METHOD path" to a handler that parses its input with Zod and calls one lib function.
import type { z } from "zod";
import { authenticate, requireRole, type Actor, type Role } from "../auth";
import { AppError, type ErrorCode } from "../errors";
import { json, readJson } from "../http";
import { logger } from "../observability";
import { compact } from "./wire";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface MlflowContext {
  req: Request;
  actor: Actor;
  /** Query string (GET) or JSON body (other methods). */
  input: Record<string, unknown>;
  /** Path segments after the route's own path (artifact paths). */
  rest: string[];
  /** Values of the route's `:name` segments, e.g. logged-models/:model_id. */
  params: Record<string, string>;
}

export interface MlflowRoute {
  method: Method;
  /** e.g. "experiments/get-by-name"; ":name" matches one segment; a trailing "/*" takes the rest of the path. */
  path: string;
  /** "public": no credentials (the handler checks its own capability, e.g. a multipart upload's part URL). */
  role: Role | "public";
  /** "raw": the handler reads the body itself (artifact uploads). */
  body?: "json" | "raw";
  handler: (ctx: MlflowContext) => Promise<unknown>;
}

const CODES: Record<ErrorCode, { error_code: string; status: number }> = {
  invalid: { error_code: "INVALID_PARAMETER_VALUE", status: 400 },
  conflict: { error_code: "RESOURCE_ALREADY_EXISTS", status: 400 },
  not_found: { error_code: "RESOURCE_DOES_NOT_EXIST", status: 404 },
  unauthenticated: { error_code: "UNAUTHENTICATED", status: 401 },
  forbidden: { error_code: "PERMISSION_DENIED", status: 403 },
  payload_too_large: { error_code: "INVALID_PARAMETER_VALUE", status: 413 },
  rate_limited: { error_code: "REQUEST_LIMIT_EXCEEDED", status: 429 },
  unavailable: { error_code: "TEMPORARILY_UNAVAILABLE", status: 503 },
  internal: { error_code: "INTERNAL_ERROR", status: 500 },
};

export function mlflowErrorResponse(err: unknown, requestId?: string | null): Response {
  if (err instanceof AppError) {
    const mapped = CODES[err.code];
    const override = (err.details as { mlflowCode?: unknown } | undefined)?.mlflowCode;
    const error_code = typeof override === "string" ? override : mapped.error_code;
    return json({ error_code, message: err.message }, mapped.status);
  }
  if ((err as { name?: string })?.name === "ZodError") {
    const issues = (err as z.ZodError).issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message);
    return json({ error_code: "INVALID_PARAMETER_VALUE", message: `Invalid request: ${issues.join("; ")}` }, 400);
  }
  logger().error({ err, requestId }, "mlflow request failed");
  return json({ error_code: "INTERNAL_ERROR", message: "Internal error" }, 500);
}

/** The actor of a public route: it may read nothing and write only what its capability names. */
const PUBLIC_ACTOR: Actor = { kind: "apikey", id: "public", label: "a presigned URL", role: "viewer", userId: null };

/** Query parameters as an object; a repeated name becomes an array. */
function queryInput(req: Request): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URL(req.url).searchParams) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function match(route: MlflowRoute, path: string[]): { rest: string[]; params: Record<string, string> } | null {
  const parts = route.path.split("/");
  const wildcard = parts.at(-1) === "*";
  const fixed = wildcard ? parts.slice(0, -1) : parts;
  if (wildcard ? path.length <= fixed.length : path.length !== fixed.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < fixed.length; i++) {
    const p = fixed[i]!;
    if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(path[i]!);
    else if (p !== path[i]) return null;
  }
  return { rest: path.slice(fixed.length), params };
}

/** A fixed segment beats a `:name` one (logged-models/search before logged-models/:model_id). */
const specificity = (r: MlflowRoute) => r.path.split("/").filter((p) => !p.startsWith(":")).length;

/** Builds the request handler of a catch-all route from a table of MLflow routes. */
export function mlflowDispatcher(routes: MlflowRoute[], prefix: string) {
  return async (req: Request, path: string[]): Promise<Response> => {
    const requestId = req.headers.get("x-request-id");
    try {
      const candidates = routes
        .map((r) => ({ r, m: match(r, path) }))
        .filter((c) => c.m !== null)
        .sort((a, b) => specificity(b.r) - specificity(a.r));
      if (!candidates.length) {
        return json({ error_code: "ENDPOINT_NOT_FOUND", message: `No endpoint ${prefix}/${path.join("/")}` }, 404);
      }
      const hit = candidates.find((c) => c.r.method === req.method);
      if (!hit) {
        const allowed = [...new Set(candidates.map((c) => c.r.method))].join(", ");
        return json({ error_code: "BAD_REQUEST", message: `${prefix}/${path.join("/")} accepts ${allowed}, not ${req.method}` }, 405, {
          allow: allowed,
        });
      }
      const role = hit.r.role;
      const actor =
        role === "public"
          ? PUBLIC_ACTOR
          : requireRole(await authenticate({ authorization: req.headers.get("authorization"), cookie: req.headers.get("cookie") }), role);
      let input: Record<string, unknown> = {};
      if (req.method === "GET") input = queryInput(req);
      else if (hit.r.body !== "raw") {
        const body = await readJson(req);
        if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
          throw new AppError("invalid", "The request body must be a JSON object");
        }
        input = (body as Record<string, unknown>) ?? {};
      }
      const out = await hit.r.handler({ req, actor, input, rest: hit.m!.rest, params: hit.m!.params });
      // Empty lists and unset fields are left out, as protobuf's JSON printer does.
      return out instanceof Response ? out : json(compact((out ?? {}) as Record<string, unknown>));
    } catch (err) {
      return mlflowErrorResponse(err, requestId);
    }
  };
}
