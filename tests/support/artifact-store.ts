// A throwaway file artifact store for one test file: ARTIFACT_STORE points at a temp folder from
// beforeAll to afterAll, then the previous value comes back and the folder is removed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { resetConfig } from "@/lib/config";

export function withTempArtifactStore(prefix: string): void {
  let dir = "";
  const saved = process.env.ARTIFACT_STORE;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    process.env.ARTIFACT_STORE = `file:${dir}`;
    resetConfig();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.ARTIFACT_STORE;
    else process.env.ARTIFACT_STORE = saved;
    resetConfig();
    rmSync(dir, { recursive: true, force: true });
  });
}
