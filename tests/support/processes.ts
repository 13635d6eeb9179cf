// Child processes for tests: real worker processes against the test database.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
