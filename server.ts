// The web server: a node:http fast path for the hot API routes (predict, health), everything else to Next.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { ensureFirstAdmin } from "@/lib/auth";
import { config } from "@/lib/config";
import { disconnectDb } from "@/lib/db";
import { logger, metrics, routeLabel } from "@/lib/observability";
import { flushPredictionLog, servingRoute } from "@/lib/serving";

export type FastRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** Routes answered without Next. Each returns false when the request is not its own. */
const fastRoutes: FastRoute[] = [
  (req, res, url) => {
    if (url.pathname !== "/api/health" || req.method !== "GET") return false;
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end('{"status":"ok"}');
    return true;
  },
  servingRoute,
];

export interface StartedServer {
  url: string;
  close(): Promise<void>;
}

/** `next: false` serves only the fast routes (every other path is 404): for benchmarks and tests of the fast path. */
export async function startServer(opts: { dev?: boolean; port?: number; next?: boolean } = {}): Promise<StartedServer> {
  process.env.MLOPS_PROCESS ??= "web";
  const c = config();
  const port = opts.port ?? c.PORT;
  process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;
  const log = logger();

  const first = await ensureFirstAdmin(c.ADMIN_EMAIL, c.ADMIN_PASSWORD);
  if (first.created) {
    const line = first.generated
      ? `First admin created: ${first.email} with password ${first.password} (shown once; change it or set ADMIN_EMAIL/ADMIN_PASSWORD)`
      : `First admin created from ADMIN_EMAIL: ${first.email}`;
    console.log(`\n  ${line}\n`);
  }

  const dir = dirname(fileURLToPath(import.meta.url));
  const app = opts.next === false ? null : next({ dev: !!opts.dev, dir, hostname: "localhost", port });
  const handle = app?.getRequestHandler() ?? null;
  await app?.prepare();
  const m = metrics();

  // Set on close: every later response ends its connection, so keep-alive clients cannot hold the server open.
  let closing = false;
  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    if (closing) res.setHeader("connection", "close");
    const requestId = (req.headers["x-request-id"] as string | undefined)?.slice(0, 100) || randomUUID();
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const url = new URL(req.url ?? "/", "http://localhost");
    // Lets pages send a signed-out visitor back to where they were after sign-in.
    req.headers["x-mlops-path"] = url.pathname + url.search;
    res.on("finish", () => {
      const route = url.pathname.startsWith("/_next/") ? "/_next/*" : routeLabel(url.pathname);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      m.httpRequests.inc({ route, method: req.method ?? "GET", status: String(res.statusCode) });
      m.httpDuration.observe({ route, method: req.method ?? "GET" }, seconds);
      if (route !== "/_next/*") {
        log.debug({ requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: seconds * 1000 }, "request");
      }
    });
    try {
      for (const r of fastRoutes) if (await r(req, res, url)) return;
      if (handle) await handle(req, res);
      else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "not_found", message: "Not found (fast routes only)" } }));
      }
    } catch (err) {
      log.error({ err, requestId }, "unhandled request error");
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "internal", message: "Internal error" } }));
      } else res.end();
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, c.HOST, () => resolve());
  });
  const url = `http://localhost:${port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }).then(async () => {
        await app?.close?.();
        // After the last response: the prediction log then holds every prediction that was answered.
        await flushPredictionLog().catch((err: unknown) => log.error({ err }, "could not flush the prediction log"));
        await disconnectDb();
      }),
  };
}
