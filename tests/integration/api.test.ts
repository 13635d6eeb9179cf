import { encode } from "next-auth/jwt";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as apiKeyById from "@/app/api/v1/api-keys/[id]/route";
import * as apiKeys from "@/app/api/v1/api-keys/route";
import * as audit from "@/app/api/v1/audit/route";
import * as ready from "@/app/api/health/ready/route";
import * as jobCancel from "@/app/api/v1/jobs/[id]/cancel/route";
import * as jobById from "@/app/api/v1/jobs/[id]/route";
import * as jobs from "@/app/api/v1/jobs/route";
import * as me from "@/app/api/v1/me/route";
import * as userById from "@/app/api/v1/users/[id]/route";
import * as users from "@/app/api/v1/users/route";
import { authSecret, type ApiKeyInfo, type AuditEntry, type UserInfo } from "@/lib/auth";
import { resetConfig } from "@/lib/config";
import { db } from "@/lib/db";
import { enqueue, getJob, type JobInfo } from "@/lib/jobs";
import { makeApiKey, makeUser, uid } from "../support/factories";
import { jobType } from "../support/wait";

type Handler = (req: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface CallOptions {
  method?: string;
  key?: string;
  cookie?: string;
  body?: unknown;
  raw?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Calls a route handler the way Next does: a web-standard Request and a promise of the params. */
async function call(handler: Handler, path: string, o: CallOptions = {}) {
  const headers: Record<string, string> = { ...o.headers };
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  if (o.cookie) headers.cookie = o.cookie;
  let body: string | undefined = o.raw;
  if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const req = new Request(`http://localhost${path}`, { method: o.method ?? (body === undefined ? "GET" : "POST"), headers, body });
  const res = await handler(req, { params: Promise.resolve(o.params ?? {}) });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type"), body: text ? JSON.parse(text) : null };
}

const errorShape = (code: string) => ({ error: expect.objectContaining({ code, message: expect.any(String) }) });

async function sessionCookie(userId: string) {
  const token = await encode({ token: { sub: userId }, secret: await authSecret() });
  return { token, cookie: `next-auth.session-token=${token}` };
}

let admin: string;
let editor: string;
let viewer: string;

beforeAll(async () => {
  const keys = await Promise.all([makeApiKey("admin"), makeApiKey("editor"), makeApiKey("viewer")]);
  [admin, editor, viewer] = [keys[0].key, keys[1].key, keys[2].key];
});

describe("authentication", () => {
  it("answers 401 with the JSON error shape when there are no credentials", async () => {
    const r = await call(me.GET, "/api/v1/me");
    expect(r.status).toBe(401);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.body).toEqual(errorShape("unauthenticated"));
  });

  it("refuses an unknown key and a malformed Authorization header", async () => {
    expect((await call(me.GET, "/api/v1/me", { key: `mlops_${"x".repeat(43)}` })).status).toBe(401);
    expect((await call(me.GET, "/api/v1/me", { headers: { authorization: `Token ${viewer}` } })).status).toBe(401);
  });

  it("accepts a key until it is revoked, then answers 401", async () => {
    const { key, info } = await makeApiKey("viewer");
    expect((await call(me.GET, "/api/v1/me", { key })).body).toMatchObject({ kind: "apikey", id: info.id, role: "viewer" });

    const revoked = await call(apiKeyById.DELETE, `/api/v1/api-keys/${info.id}`, { method: "DELETE", key: admin, params: { id: info.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();

    const r = await call(me.GET, "/api/v1/me", { key });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(errorShape("unauthenticated"));
  });

  it("accepts a session cookie, also in chunks, and refuses a tampered one", async () => {
    const { user, email } = await makeUser("editor");
    const { token, cookie } = await sessionCookie(user.id);
    expect((await call(me.GET, "/api/v1/me", { cookie })).body).toEqual({ kind: "user", id: user.id, label: email, role: "editor" });

    const half = Math.floor(token.length / 2);
    const chunked = `next-auth.session-token.0=${token.slice(0, half)}; next-auth.session-token.1=${token.slice(half)}`;
    expect((await call(me.GET, "/api/v1/me", { cookie: chunked })).status).toBe(200);

    const tampered = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await call(me.GET, "/api/v1/me", { cookie: `next-auth.session-token=${tampered}` })).status).toBe(401);
  });

  it("refuses the session of a user who has been disabled (401)", async () => {
    const { user } = await makeUser("editor");
    const { cookie } = await sessionCookie(user.id);
    expect((await call(me.GET, "/api/v1/me", { cookie })).status).toBe(200);

    const disabled = await call(userById.PATCH, `/api/v1/users/${user.id}`, {
      method: "PATCH",
      key: admin,
      body: { disabled: true },
      params: { id: user.id },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: user.id, disabled: true });

    const r = await call(me.GET, "/api/v1/me", { cookie });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(errorShape("unauthenticated"));
  });

  it("follows a role change on the very next request of a session", async () => {
    const { user } = await makeUser("viewer");
    const { cookie } = await sessionCookie(user.id);
    const job = await enqueue(jobType());
    const cancel = () => call(jobCancel.POST, `/api/v1/jobs/${job.id}/cancel`, { method: "POST", cookie, params: { id: job.id } });
    expect((await cancel()).status).toBe(403);
    await call(userById.PATCH, `/api/v1/users/${user.id}`, { method: "PATCH", key: admin, body: { role: "editor" }, params: { id: user.id } });
    expect((await cancel()).status).toBe(200);
  });
});

describe("roles", () => {
  it("refuses a viewer cancelling a job (403) and leaves the job queued; an editor may", async () => {
    const job = await enqueue(jobType());
    const r = await call(jobCancel.POST, `/api/v1/jobs/${job.id}/cancel`, { method: "POST", key: viewer, params: { id: job.id } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual(errorShape("forbidden"));
    expect((await getJob(job.id)).state).toBe("queued");

    const ok = await call(jobCancel.POST, `/api/v1/jobs/${job.id}/cancel`, { method: "POST", key: editor, params: { id: job.id } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: job.id, state: "cancelled" });
    expect((await getJob(job.id)).state).toBe("cancelled");
  });

  it("refuses a viewer or an editor creating a user (403) and creates nothing", async () => {
    for (const key of [viewer, editor]) {
      const email = `blocked-${uid()}@example.com`;
      const r = await call(users.POST, "/api/v1/users", { key, body: { email, password: "password-123", role: "admin" } });
      expect(r.status).toBe(403);
      expect(r.body).toEqual(errorShape("forbidden"));
      expect(await db().user.findUnique({ where: { email } })).toBeNull();
    }
  });

  it("refuses a non-admin creating an API key (403) and creates nothing", async () => {
    const name = `blocked-${uid()}`;
    const r = await call(apiKeys.POST, "/api/v1/api-keys", { key: editor, body: { name, role: "admin" } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual(errorShape("forbidden"));
    expect(await db().apiKey.count({ where: { name } })).toBe(0);
  });

  it("refuses a non-admin listing users or keys (403)", async () => {
    expect((await call(users.GET, "/api/v1/users", { key: editor })).status).toBe(403);
    expect((await call(apiKeys.GET, "/api/v1/api-keys", { key: viewer })).status).toBe(403);
  });
});

describe("input", () => {
  it("answers malformed JSON with 400 and changes nothing", async () => {
    const before = await db().user.count();
    const r = await call(users.POST, "/api/v1/users", { key: admin, raw: '{"email": "x@example.com", "password":' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(errorShape("invalid"));
    expect(r.body.error.message).toMatch(/JSON/);
    expect(await db().user.count()).toBe(before);
  });

  it("answers an invalid body with 400 and per-field details", async () => {
    const r = await call(users.POST, "/api/v1/users", { key: admin, body: { email: "not-an-email", password: "short", role: "owner" } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("invalid");
    const paths = (r.body.error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(["email", "password", "role"]);
  });

  it("answers an invalid query with 400", async () => {
    const r = await call(jobs.GET, "/api/v1/jobs?limit=0&state=sleeping", { key: viewer });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["limit", "state"]);
  });

  describe("with a small MAX_BODY_BYTES", () => {
    const saved = process.env.MAX_BODY_BYTES;
    afterEach(() => {
      if (saved === undefined) delete process.env.MAX_BODY_BYTES;
      else process.env.MAX_BODY_BYTES = saved;
      resetConfig();
    });

    it("answers a body over the limit with 413 and changes nothing", async () => {
      process.env.MAX_BODY_BYTES = "200";
      resetConfig();
      const email = `big-${uid()}@example.com`;
      const r = await call(users.POST, "/api/v1/users", { key: admin, body: { email, password: "password-123", name: "n".repeat(500) } });
      expect(r.status).toBe(413);
      expect(r.body).toEqual(errorShape("payload_too_large"));
      expect(await db().user.findUnique({ where: { email } })).toBeNull();

      // The same request under the limit goes through.
      const small = await call(users.POST, "/api/v1/users", { key: admin, body: { email, password: "password-123" } });
      expect(small.status).toBe(201);
    });
  });

  it("answers an unknown id with 404", async () => {
    const r = await call(userById.PATCH, "/api/v1/users/nope", { method: "PATCH", key: admin, body: { role: "editor" }, params: { id: "nope" } });
    expect(r.status).toBe(404);
    expect(r.body).toEqual(errorShape("not_found"));
    expect((await call(jobById.GET, "/api/v1/jobs/nope", { key: viewer, params: { id: "nope" } })).status).toBe(404);
  });
});

describe("admin actions", () => {
  it("creates a user (201) who can then sign in; the password is never sent back", async () => {
    const email = `New.User-${uid()}@Example.com`;
    const r = await call(users.POST, "/api/v1/users", { key: admin, body: { email, password: "password-123", role: "editor", name: "New" } });
    expect(r.status).toBe(201);
    const user = r.body as UserInfo;
    expect(user).toMatchObject({ email: email.toLowerCase(), role: "editor", name: "New", disabled: false });
    expect(JSON.stringify(r.body)).not.toMatch(/password/i);

    const list = await call(users.GET, "/api/v1/users", { key: admin });
    expect((list.body.users as UserInfo[]).find((u) => u.id === user.id)).toMatchObject({ email: email.toLowerCase() });
    expect(JSON.stringify(list.body)).not.toMatch(/passwordHash|argon2/);

    const again = await call(users.POST, "/api/v1/users", { key: admin, body: { email, password: "password-456" } });
    expect(again.status).toBe(409);
  });

  it("creates an API key (201) shown once: the list never holds it, and it records its last use", async () => {
    const name = `ci-${uid()}`;
    const r = await call(apiKeys.POST, "/api/v1/api-keys", { key: admin, body: { name, role: "editor" } });
    expect(r.status).toBe(201);
    const { key, ...info } = r.body as ApiKeyInfo & { key: string };
    expect(key).toMatch(/^mlops_[A-Za-z0-9_-]{40,}$/);
    expect(info).toMatchObject({ name, role: "editor", lastUsedAt: null, revokedAt: null });
    expect(key.startsWith(info.prefix)).toBe(true);

    const listed = async () => {
      const list = await call(apiKeys.GET, "/api/v1/api-keys", { key: admin });
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain(key);
      return (list.body.api_keys as ApiKeyInfo[]).find((k) => k.id === info.id)!;
    };
    const before = await listed();
    expect(before).toMatchObject({ name, prefix: info.prefix, lastUsedAt: null });
    expect(before).not.toHaveProperty("hash");

    expect((await call(me.GET, "/api/v1/me", { key })).body).toMatchObject({ kind: "apikey", role: "editor" });
    expect((await listed()).lastUsedAt).not.toBeNull();
  });

  it("changes a role via PATCH and writes an audit entry naming who did it", async () => {
    const { user } = await makeUser("viewer");
    const adminKey = await makeApiKey("admin");
    const r = await call(userById.PATCH, `/api/v1/users/${user.id}`, {
      method: "PATCH",
      key: adminKey.key,
      body: { role: "editor" },
      params: { id: user.id },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: user.id, role: "editor" });

    const log = await call(audit.GET, `/api/v1/audit?target_type=user&target_id=${user.id}`, { key: viewer });
    expect(log.status).toBe(200);
    const entries = log.body.entries as AuditEntry[];
    expect(entries[0]).toMatchObject({
      action: "user.role_change",
      actorLabel: `apikey:${adminKey.info.name}`,
      targetType: "user",
      targetId: user.id,
      details: { from: "viewer", to: "editor" },
    });
  });

  it("starts a maintenance job (201) that viewers can see and editors can cancel", async () => {
    const r = await call(jobs.POST, "/api/v1/jobs", { key: admin, body: { type: "maintenance.cleanup", payload: { retentionDays: 90 } } });
    expect(r.status).toBe(201);
    const job = r.body as JobInfo;
    expect(job).toMatchObject({ type: "maintenance.cleanup", state: "queued", payload: { retentionDays: 90 } });
    expect((await call(jobById.GET, `/api/v1/jobs/${job.id}`, { key: viewer, params: { id: job.id } })).body).toMatchObject({ id: job.id });
    const list = await call(jobs.GET, "/api/v1/jobs?type=maintenance.cleanup&limit=500", { key: viewer });
    expect((list.body.jobs as JobInfo[]).some((j) => j.id === job.id)).toBe(true);
    expect(list.body.total).toBeGreaterThanOrEqual(1);
    // Leave no queued maintenance job behind for other tests' workers.
    const c = await call(jobCancel.POST, `/api/v1/jobs/${job.id}/cancel`, { method: "POST", key: editor, params: { id: job.id } });
    expect(c.body).toMatchObject({ state: "cancelled" });

    const unknown = await call(jobs.POST, "/api/v1/jobs", { key: admin, body: { type: "train.model", payload: {} } });
    expect(unknown.status).toBe(400);
  });
});

describe("health", () => {
  it("reports ready with the database migrated", async () => {
    const res = await ready.GET();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ready",
      database: { kind: process.env.TEST_DB, reachable: true, migrated: true },
    });
  });
});
