// The web server: a node:http fast path for the hot API routes (predict, health), everything else to Next.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { ensureFirstAdmin } from "@/lib/auth";
import { config } from "@/lib/config";
import { disconnectDb } from "@/lib/db";
import {
  logger,
  metrics,
  metricsAuthorized,
  nameRequestSpan,
  nextRouteTemplates,
  requestIdOf,
  routeMatcher,
  runWithContext,
  shutdownTracing,
  startTracing,
} from "@/lib/observability";
import { metricsText } from "@/lib/observability/health";
import { flushPredictionLog, SERVING_ROUTE_TEMPLATES, servingRoute } from "@/lib/serving";

/**
 * A route answered without Next; returns false when the request is not its own. It puts `requestId`
 * in its response's x-request-id header itself: given to writeHead with the other headers, rather
 * than set on every response beforehand, it spares writeHead merging two sets of headers (about
 * 2 µs a response).
 */
export type FastRoute = (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => boolean | Promise<boolean>;

const fastRoutes: FastRoute[] = [
  (req, res, url, requestId) => {
    if (url.pathname !== "/api/health" || req.method !== "GET") return false;
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId });
    res.end('{"status":"ok"}');
    return true;
  },
  // Prometheus scrapes here without Next (so `next: false` servers expose metrics too).
  (req, res, url, requestId) => {
    if (url.pathname !== "/api/metrics" || req.method !== "GET") return false;
    if (!metricsAuthorized(req, res)) return true;
    return metricsText().then(({ contentType, body }) => {
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-store", "x-request-id": requestId });
      res.end(body);
      return true;
    });
  },
  servingRoute,
];
const FAST_ROUTE_TEMPLATES = ["/api/health", "/api/metrics", ...SERVING_ROUTE_TEMPLATES];

export interface StartedServer {
  url: string;
  close(): Promise<void>;
}

/** `next: false` serves only the fast routes (every other path is 404): for benchmarks and tests of the fast path. */
export async function startServer(opts: { dev?: boolean; port?: number; next?: boolean } = {}): Promise<StartedServer> {
  process.env.MLOPS_PROCESS ??= "web";
  // First: the HTTP and Prisma instrumentations must be in place before the first request or query.
  const tracing = await startTracing("mlops-web");
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
  const routeOf = routeMatcher([...FAST_ROUTE_TEMPLATES, ...nextRouteTemplates(dir)]);

  // Set on close: every later response ends its connection, so keep-alive clients cannot hold the server open.
  let closing = false;
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    if (closing) res.setHeader("connection", "close");
    const requestId = requestIdOf(req);
    req.headers["x-request-id"] = requestId;
    const url = new URL(req.url ?? "/", "http://localhost");
    // Lets pages send a signed-out visitor back to where they were after sign-in.
    req.headers["x-mlops-path"] = url.pathname + url.search;
    const route = routeOf(url.pathname);
    const method = req.method ?? "GET";
    if (tracing) nameRequestSpan(method, route);
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      m.httpRequests.inc({ route, method, status: String(res.statusCode) });
      m.httpDuration.observe({ route, method }, seconds);
      // Checked first: the line's object would otherwise be built on every request for nothing.
      if (route !== "/_next/*" && log.isLevelEnabled("debug")) {
        log.debug({ requestId, method, path: url.pathname, route, status: res.statusCode, ms: seconds * 1000 }, "request");
      }
    });
    // Every log line written while handling the request (here, in lib/, in Next's handlers) carries requestId.
    runWithContext({ requestId }, () => {
      try {
        const p = dispatch(req, res, url, requestId, 0);
        if (p) p.catch((err: unknown) => failed(res, requestId, err));
      } catch (err) {
        failed(res, requestId, err);
      }
    });
  });
  // Synchronous as long as the routes are: a fast route that answers without a promise (a cached
  // predict) costs no promise or microtask here either.
  const dispatch = (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, from: number): Promise<unknown> | undefined => {
    for (let i = from; i < fastRoutes.length; i++) {
      const handled = fastRoutes[i]!(req, res, url, requestId);
      if (handled === true) return undefined;
      if (handled !== false) return handled.then((h) => (h ? undefined : dispatch(req, res, url, requestId, i + 1)));
    }
    res.setHeader("x-request-id", requestId);
    if (handle) return handle(req, res);
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "not_found", message: "Not found (fast routes only)" } }));
    return undefined;
  };
  const failed = (res: ServerResponse, requestId: string, err: unknown): void => {
    log.error({ err }, "unhandled request error");
    if (!res.headersSent) {
      res.setHeader("x-request-id", requestId);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "internal", message: "Internal error" } }));
    } else res.end();
  };
  server.keepAliveTimeout = 65_000;
  // Development only: Next's hot-reload websocket. Without it the dev client never hydrates (no
  // client-side charts, forms submit natively); production serves no upgrades.
  if (app && opts.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on("upgrade", (req, socket, head) => void upgrade(req, socket, head));
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, c.HOST, () => resolve());
  });
  // The bound port: `port: 0` (tests) picks a free one.
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
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
        // Last: the spans of the shutdown's own queries go out too.
        await shutdownTracing();
      }),
  };
}
