// The newcomer's path: `mlops demo` builds the story on the running instance through its API, then
// the story is walked through the dashboard: runs of every family, the tuning study, the model with
// champion and challenger, the A/B test's verdict, and the drift alert with its retraining.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { E2E_ADMIN, signIn } from "./helpers";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");

interface DemoJson {
  alreadyLoaded: boolean;
  names: { model: string; experiment: string };
  links: Record<string, string>;
  runs: number;
  abTest: { winner: string | null; predictions: number } | null;
  drift: { datasetDrift: boolean; retrainVersion: number | null } | null;
}

test("mlops demo builds the story, and the dashboard tells it", async ({ page, baseURL }) => {
  test.setTimeout(420_000);
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const created = await page.request.post("/api/v1/api-keys", { data: { name: "e2e demo", role: "editor" } });
  expect(created.status(), await created.text()).toBe(201);
  const { key } = (await created.json()) as { key: string };

  // A suffix keeps the story apart from what the other specs created on this instance.
  const demo = async () => {
    const { stdout } = await run(process.execPath, ["bin/mlops.mjs", "demo", "--url", baseURL!, "--api-key", key, "--suffix", "e2e", "--json"], {
      cwd: ROOT,
      timeout: 360_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as DemoJson;
  };
  const started = Date.now();
  const result = await demo();
  console.log(`demo took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  expect(result.alreadyLoaded).toBe(false);
  expect(result.abTest?.winner).toBe("challenger");
  expect(result.drift?.datasetDrift).toBe(true);
  expect(result.drift?.retrainVersion).toBe(3);
  const model = result.names.model;

  // The experiment: two runs of each family, the search's trials as child runs.
  await page.goto(result.links.experiment!);
  await expect(page.getByRole("heading", { name: result.names.experiment, exact: true })).toBeVisible();
  for (const name of ["linear-baseline", "linear-strong-l2", "mlp-small", "mlp-wide", "gbdt-shallow", "gbdt-deep"]) {
    await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  }

  // The tuning study: complete, with its trials.
  await page.goto(result.links.study!);
  await expect(page.getByRole("heading", { name: /^gbdt-search-e2e-gbdt-/ })).toBeVisible();
  await expect(page.getByText("complete", { exact: true }).first()).toBeVisible();

  // The model: champion (the linear baseline), challenger (the newest, from the retraining).
  await page.goto(result.links.model!);
  await expect(page.getByRole("heading", { name: model, exact: true })).toBeVisible();
  await expect(page.getByText("champion", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("challenger", { exact: true }).first()).toBeVisible();

  // The A/B test: the challenger truly better, and named the winner.
  await page.goto(result.links.abTest!);
  await expect(page.getByText(/Arm 'challenger' \(v2\) beats baseline 'champion' \(v1\)/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Promote winner" })).toBeVisible();

  // The drift episode: a drifted report, its alert, and the retraining it started.
  await page.goto(result.links.drift!);
  await expect(page.getByRole("heading", { name: `Drift · ${model}` })).toBeVisible();
  await expect(page.getByText(/dataset drift: \d+ of 8 columns drifted/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Triggered retrainings" })).toBeVisible();
  await page.goto(result.links.driftReport!);
  await expect(page.getByText("tenure_months").first()).toBeVisible();

  // Running it again changes nothing and says so.
  const again = await demo();
  expect(again.alreadyLoaded).toBe(true);
});
