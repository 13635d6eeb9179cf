// deploy/Dockerfile and deploy/docker-compose.yml, checked offline (no Docker daemon needed).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "@/lib/config";
import { readVariables, REQUIRED_IN_PRODUCTION, root } from "./deploy-env";

type Json = Record<string, unknown>;

/** Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}. */
function substitute(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, op: string | undefined, arg: string) => {
    const v = env[name];
    const unset = op?.startsWith(":") ? !v : v === undefined;
    if (op?.endsWith("?") && unset) throw new Error(`required variable ${name} is missing: ${arg}`);
    if (op?.endsWith("-") && unset) return arg;
    return v ?? "";
  });
}

const composeText = readFileSync(join(root, "deploy/docker-compose.yml"), "utf8");
const compose = (env: Record<string, string | undefined>) =>
  parse(substitute(composeText, env), { merge: true }) as { services: Record<string, Json>; volumes: Json };

const dockerfile = readFileSync(join(root, "deploy/Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

describe("docker-compose.yml", () => {
  const env = { NEXTAUTH_SECRET: "a-compose-session-secret-0123456789" };

  it("refuses to start without NEXTAUTH_SECRET", () => {
    expect(() => compose({})).toThrow(/NEXTAUTH_SECRET/);
  });

  it("runs PostgreSQL 15 with a volume, the migration before the web server, and two workers", () => {
    const { services, volumes } = compose(env);
    expect(services.db!.image).toMatch(/^postgres:15/);
    expect(services.db!.volumes).toEqual(["pgdata:/var/lib/postgresql/data"]);
    expect(volumes).toHaveProperty("pgdata");
    expect(services.migrate!.command).toEqual(["migrate"]);
    expect(services.migrate!.depends_on).toEqual({ db: { condition: "service_healthy" } });
    expect(services.web!.command).toEqual(["start", "--no-worker"]);
    expect(services.web!.depends_on).toEqual({ migrate: { condition: "service_completed_successfully" } });
    expect(services.worker!.command).toEqual(["worker"]);
    expect((services.worker!.deploy as Json).replicas).toBe(2);
    for (const name of ["migrate", "web", "worker"]) {
      const s = services[name]!;
      expect(s.build, name).toEqual({ context: "..", dockerfile: "deploy/Dockerfile" });
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toEqual(["ALL"]);
    }
  });

  it("sets only variables the app reads, every one it needs, with values its config accepts", () => {
    const known = readVariables();
    const { services } = compose(env);
    for (const name of ["migrate", "web", "worker"]) {
      const e = services[name]!.environment as Record<string, string>;
      expect(Object.keys(e).filter((k) => !known.has(k)), name).toEqual([]);
      for (const k of REQUIRED_IN_PRODUCTION) expect(e[k], `${name} ${k}`).toBeTruthy();
      expect(e.DATABASE_URL).toMatch(/^postgresql:\/\/mlops:[^@]+@db:5432\/mlops$/);
      expect(e.ARTIFACT_STORE).toBe("db:");
      const parsed = configSchema.safeParse(e);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`), name).toEqual([]);
    }
  });
});

describe("Dockerfile", () => {
  it("builds in one stage and runs as a non-root user in production mode in another", () => {
    const from = instructions.filter((l) => /^FROM /i.test(l));
    expect(from.length).toBeGreaterThanOrEqual(2);
    expect(from[0]).toMatch(/ AS build$/);
    const build = instructions.slice(instructions.indexOf(from[0]!), instructions.indexOf(from[1]!)).join("\n");
    expect(build).toMatch(/npm ci/);
    expect(build).toMatch(/next build/);
    const runtime = instructions.slice(instructions.indexOf(from[from.length - 1]!)).join("\n");
    expect(runtime).toMatch(/NODE_ENV=production/);
    const user = instructions.filter((l) => /^USER /i.test(l)).pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(instructions.find((l) => /^ENTRYPOINT /.test(l))).toBe('ENTRYPOINT ["node", "bin/mlops.mjs"]');
  });

  it("copies into the runtime image only paths that exist (or the build creates)", () => {
    const built = new Set(["node_modules", ".next"]);
    const sources = instructions
      .filter((l) => /^COPY --from=build /.test(l))
      .flatMap((l) => l.replace(/^COPY --from=build /, "").split(/\s+/).slice(0, -1))
      .map((p) => p.replace(/^\/app\//, ""));
    expect(sources).toEqual(expect.arrayContaining(["bin", "cli", "lib", "workers", "prisma", "server.ts", "scripts"]));
    for (const s of sources) if (!built.has(s)) expect(existsSync(join(root, s)), s).toBe(true);
  });

  it("sets only variables the app reads, with values its config accepts", () => {
    const known = readVariables();
    const env: Record<string, string> = {};
    for (const l of instructions.filter((x) => /^ENV /.test(x))) {
      for (const m of l.slice(4).matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) env[m[1]!] = m[2]!;
    }
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    expect(configSchema.safeParse(env).success).toBe(true);
  });

  it("keeps dependencies, builds, data and secrets out of the build context", () => {
    const ignore = readFileSync(join(root, "deploy/Dockerfile.dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const p of ["node_modules", ".next", "data", ".env", ".git", "lib/db/generated"]) expect(ignore).toContain(p);
  });
});
