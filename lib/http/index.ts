// Route-handler plumbing on web-standard Request/Response (no framework imports):
// authenticate, check the role, parse input with Zod, map errors to the one JSON error shape.
import type { z } from "zod";
import { authenticate, requireRole, type Actor, type Role } from "../auth";
import { config } from "../config";
import { AppError, invalid, toErrorResponse } from "../errors";
import { logger } from "../observability";

export { openApiDocument, type ApiOperation } from "./openapi";

/** JSON has no NaN or ±Infinity: write them as the strings protobuf's JSON mapping uses, not as null. */
function nonFiniteAsString(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, nonFiniteAsString), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(err: unknown, requestId?: string | null): Response {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) logger().error({ err, requestId }, "request failed");
  return json(body, status);
}

/** Reads a JSON body with a size limit; malformed JSON and oversized bodies are client errors. */
export async function readJson(req: Request, limit = config().MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large", `Request body is over the ${limit}-byte limit`);
  const reader = req.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new AppError("payload_too_large", `Request body is over the ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`Malformed JSON body: ${(err as Error).message}`);
  }
}

export function queryObject(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams.entries());
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw invalid(
      `Invalid ${where}: ${r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; ")}`,
      r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    );
  }
  return r.data;
}

export interface RouteContext<B, Q> {
  req: Request;
  actor: Actor;
  body: B;
  query: Q;
  params: Record<string, string>;
}

interface RouteOptions<BS extends z.ZodType | undefined, QS extends z.ZodType | undefined> {
  /** Minimum role; every /api/v1 route names one. */
  role: Role;
  body?: BS;
  query?: QS;
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * Wraps a route handler: authenticate (API key or session), require the role, validate body and
 * query, run `fn`, and turn its value into JSON (or pass a Response through).
 */
export function route<BS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined>(
  opts: RouteOptions<BS, QS>,
  fn: (ctx: RouteContext<Infer<BS>, Infer<QS>>) => Promise<unknown>,
) {
  return async (req: Request, segment?: { params?: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    const requestId = req.headers.get("x-request-id");
    try {
      const actor = requireRole(
        await authenticate({ authorization: req.headers.get("authorization"), cookie: req.headers.get("cookie") }),
        opts.role,
      );
      const rawParams = (await segment?.params) ?? {};
      const params = Object.fromEntries(
        Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
      );
      const body = opts.body ? parseWith(opts.body, await readJson(req), "request body") : undefined;
      const query = opts.query ? parseWith(opts.query, queryObject(req), "query string") : undefined;
      const out = await fn({ req, actor, body: body as Infer<BS>, query: query as Infer<QS>, params });
      if (out instanceof Response) return out;
      return json(out ?? { ok: true });
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}

export { multipartBoundary, readMultipart, requestBodyStream, type MultipartOptions, type MultipartPart } from "./multipart";
