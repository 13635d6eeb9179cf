// Child processes of the reliability suite: real workers and the real server's fast path, against
// the test database and this process's artifact store (tests/support/artifact-store.ts).
import { inject } from "vitest";
import { freePort, spawnNode, type Child } from "../../support/processes";

/** What every child needs: the test database and this process's artifact store. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: inject("databaseUrl"),
    ARTIFACT_STORE: process.env.ARTIFACT_STORE ?? "",
    LOG_LEVEL: "warn",
    LOG_PRETTY: "false",
    ...extra,
  };
}

/** `mlops worker`: the production worker with every job handler. Its runner id contains `:<pid>:`. */
export function spawnMlopsWorker(env: Record<string, string> = {}): Child {
  return spawnNode(["bin/mlops.mjs", "worker"], childEnv(env));
}

/** tests/support/test-worker.ts serving one job type (see its header for the TEST_* variables). */
export function spawnTestWorker(id: string, type: string, env: Record<string, string> = {}): Child {
  return spawnNode(["--import", "tsx", "tests/support/test-worker.ts"], childEnv({ TEST_WORKER_ID: id, TEST_JOB_TYPE: type, ...env }));
}

export interface FastServer {
  url: string;
  child: Child;
}

/**
 * server.ts without Next (tests/support/fast-server.ts) on a free port, shut down the way `mlops
 * start` does it on SIGTERM; resolves once /api/health answers.
 */
export async function startFastServer(env: Record<string, string> = {}, timeoutMs = 110_000): Promise<FastServer> {
  const port = await freePort();
  const child = spawnNode(["--import", "tsx", "tests/support/fast-server.ts", String(port)], childEnv({ START_WORKER: "false", ...env }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`server exited:\n${child.output()}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return { url, child };
    if (Date.now() > deadline) throw new Error(`server did not start:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
