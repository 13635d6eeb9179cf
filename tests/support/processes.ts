// Child processes for tests: real worker processes against the test database.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface Child {
  proc: ChildProcess;
  /** Resolves once the process printed `line` on stdout (rejects if it exits first). */
  printed(line: string): Promise<void>;
  /** Exit code and signal, once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const children = new Set<ChildProcess>();

export function spawnNode(args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  return {
    proc,
    exited,
    output: () => out,
    printed: (line) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.split("\n").includes(line)) resolve();
        };
        check();
        proc.stdout!.on("data", check);
        void exited.then(({ code, signal }) =>
          reject(new Error(`process exited (code ${code}, signal ${signal}) before printing '${line}':\n${out}`)),
        );
      }),
  };
}

/** Kills every child this file started that is still running (by its pid; for afterEach). */
export async function killChildren(): Promise<void> {
  const waits = [...children].map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once("exit", r))));
  for (const p of children) p.kill("SIGKILL");
  await Promise.all(waits);
}

const DEV_LOCK = join(tmpdir(), "mlops-tests-next-dev.lock");

/**
 * Next allows one development server per project folder, and test files run in parallel: a test that
 * starts `mlops start --dev` holds this lock (a directory with the holder's pid) until it calls the
 * returned release. A lock whose holder died is taken over.
 */
export async function acquireDevServerLock(timeoutMs = 900_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(DEV_LOCK);
      writeFileSync(join(DEV_LOCK, "pid"), String(process.pid));
      return () => rmSync(DEV_LOCK, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(DEV_LOCK, "pid"), "utf8"));
    } catch {
      // Created but pid not written yet: wait.
    }
    if (Number.isInteger(holder) && !alive(holder)) rmSync(DEV_LOCK, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for the development-server lock ${DEV_LOCK}`);
    else await new Promise((r) => setTimeout(r, 500));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const DEV_SERVER_HELD = "Another Next development server runs in this project folder";

export interface DevServer {
  url: string;
  child: Child;
  /** Kills the server (and every other child of this file) and releases the lock. */
  stop(): Promise<void>;
}

/**
 * `mlops start --dev --no-worker` (server.ts in its own process) on a free port, holding the
 * development-server lock; resolves once /api/health/ready answers 200. NODE_ENV: vitest sets "test",
 * which Next's development server does not expect. A server that exits first fails at once.
 */
export async function startDevServer(env: Record<string, string>, timeoutMs = 330_000): Promise<DevServer> {
  const release = await acquireDevServerLock();
  const url = `http://127.0.0.1:${await freePort()}`;
  const child = spawnNode(["bin/mlops.mjs", "start", "--dev", "--no-worker", "--port", new URL(url).port], {
    ...env,
    NODE_ENV: "development",
    ADMIN_EMAIL: "admin@example.com",
    ADMIN_PASSWORD: "admin-password-1",
  });
  const stop = async () => {
    await killChildren();
    release();
  };
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Next refuses a second development server in one folder (one started outside the tests) and waits.
    const held = /Another next dev server is already running/.test(child.output());
    if (exited || held) {
      await stop();
      throw new Error(`${held ? DEV_SERVER_HELD : "The server exited before it was ready"}:\n${child.output()}`);
    }
    if ((await fetch(`${url}/api/health/ready`).then((r) => r.status, () => 0)) === 200) return { url, child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The server was not ready within ${timeoutMs / 1000} s:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
