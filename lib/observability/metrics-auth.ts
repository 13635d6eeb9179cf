// Optional protection of the Prometheus endpoints: with METRICS_TOKEN set, a scrape must send it as
// a bearer token (Prometheus: `authorization: { credentials: ... }`). Unset, they stay open, as
// /api/health is, for installations that restrict them at the ingress.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { config } from "../config";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether an Authorization header value may read metrics (always, without METRICS_TOKEN). */
export function metricsTokenAccepted(authorization: string | null | undefined): boolean {
  const token = config().METRICS_TOKEN;
  if (!token) return true;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  return !!m && timingSafeEqual(digest(m[1]!), digest(token));
}

export const METRICS_UNAUTHORIZED = {
  status: 401,
  headers: { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" },
  body: "Metrics need Authorization: Bearer <METRICS_TOKEN>\n",
} as const;

/** True when the request may read metrics; otherwise answers 401 itself. */
export function metricsAuthorized(req: IncomingMessage, res: ServerResponse): boolean {
  if (metricsTokenAccepted(req.headers.authorization)) return true;
  res.writeHead(METRICS_UNAUTHORIZED.status, METRICS_UNAUTHORIZED.headers);
  res.end(METRICS_UNAUTHORIZED.body);
  return false;
}
