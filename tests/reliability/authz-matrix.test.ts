// Authorization matrix: every route handler, MLflow endpoint, fast-path serving route and server
// action, discovered from the code, × every kind of caller → exactly the status its rule in
// support/authz-rules.ts expects. A new route without a rule, or a rule for a route that is gone,
// fails here. Allowed callers send an empty body to ids that do not exist, so they get a 2xx or a
// 4xx validation / not-found answer, never 401/403 and never a 5xx.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getUser, hasRole, listAudit, type Role } from "@/lib/auth";
import { db } from "@/lib/db";
import { clearServingAuth } from "@/lib/serving";
import { makeUser } from "../support/factories";
import { makePrincipals, sessionCookie, type Principal } from "./support/authz-principals";
import { discoverRoutes, stopFastServer, type DiscoveredRoute } from "./support/authz-routes";
import { NOT_CALLED, RULES, ruleKey, type Access } from "./support/authz-rules";

vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => import("./support/authz-next-stubs"));
vi.mock("next/cache", () => import("./support/authz-next-stubs"));

let routes: DiscoveredRoute[];
let principals: Principal[];
const started = new Date();

beforeAll(async () => {
  routes = await discoverRoutes();
  principals = await makePrincipals();
});

afterAll(async () => {
  await stopFastServer();
  // Admin actions called with no input queue real jobs (maintenance, demo data): drop them, so the
  // workers of later test files never run them.
  await db().job.deleteMany({ where: { createdAt: { gte: started } } });
});

/** What a caller must get: 401, 403, or "allowed" (anything but 401/403/5xx). */
function expected(access: Access, role: Role | null): 401 | 403 | "allowed" {
  if (access === "public") return "allowed";
  if (role === null) return 401;
  return hasRole(role, access) ? "allowed" : 403;
}

const outcome = (status: number): 401 | 403 | "allowed" | "server error" =>
  status === 401 ? 401 : status === 403 ? 403 : status >= 500 ? "server error" : "allowed";

describe("authorization matrix", () => {
  it("has exactly one rule for every discovered route, and no rule for a route that is gone", () => {
    const rules = new Map(RULES.map(([m, r, a]) => [ruleKey(m, r), a]));
    expect(rules.size, "a route + method is listed twice in authz-rules.ts").toBe(RULES.length);
    const found = new Map(routes.map((r) => [ruleKey(r.method, r.route), r]));
    const missing = [...found.values()].filter((r) => !rules.has(ruleKey(r.method, r.route))).map((r) => `${ruleKey(r.method, r.route)} (${r.source})`);
    const stale = [...rules.keys()].filter((k) => !found.has(k));
    expect(missing, "routes without a rule: add them to tests/reliability/support/authz-rules.ts").toEqual([]);
    expect(stale, "rules for routes that no longer exist: remove them from authz-rules.ts").toEqual([]);
    // Every kind of surface was found, so a broken discovery cannot pass as "no routes".
    expect(new Set(routes.map((r) => r.kind))).toEqual(new Set(["handler", "mlflow", "fast", "action"]));
  });

  it("answers every caller of every route with the expected status", async () => {
    const rules = new Map(RULES.map(([m, r, a]) => [ruleKey(m, r), a]));
    const wrong: string[] = [];
    for (const route of routes) {
      const access = rules.get(ruleKey(route.method, route.route));
      if (!access || NOT_CALLED.has(ruleKey(route.method, route.route))) continue; // no rule: reported above
      for (const p of principals) {
        // The fast path remembers keys and spends rate-limit tokens per caller: start each call clean.
        if (route.kind === "fast") clearServingAuth();
        const want = expected(access, p.role);
        const res = await route.call({ headers: p.headers });
        const got = outcome(res.status);
        if (got !== want) wrong.push(`${ruleKey(route.method, route.route)} as ${p.name}: want ${want}, got ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("changing a user", () => {
  it("applies role and disabled of one PATCH together, in one transaction", async () => {
    const admin = await makeUser("admin");
    const target = await makeUser("admin");
    const patch = routes.find((r) => r.method === "PATCH" && r.route === "/api/v1/users/[id]")!;
    const headers = { cookie: await sessionCookie(admin.user.id) };
    const res = await patch.call({ headers, params: { id: target.user.id }, body: { role: "viewer", disabled: true } });
    expect(res.status, res.text).toBe(200);
    expect(await getUser(target.user.id)).toMatchObject({ role: "viewer", disabled: true });
    const actions = (await listAudit({ targetType: "user", targetId: target.user.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["user.role_change", "user.disable"]));
    // A disabled user's session no longer counts, whatever its role was.
    const me = routes.find((r) => r.method === "GET" && r.route === "/api/v1/me")!;
    expect((await me.call({ headers: { cookie: await sessionCookie(target.user.id) } })).status).toBe(401);
  });
});
