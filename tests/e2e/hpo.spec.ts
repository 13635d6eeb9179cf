import { expect, test } from "@playwright/test";
import { E2E_ADMIN, signIn } from "./helpers";

/** Three linearly separable classes; the same file every run (no randomness). */
function blobsCsv(rows = 120): string {
  const lines = ["x1,x2,label"];
  for (let i = 0; i < rows; i++) {
    const cls = i % 3;
    const jx = ((i * 37) % 17) / 17 - 0.5;
    const jy = ((i * 53) % 19) / 19 - 0.5;
    const cx = cls === 1 ? 4 : 0;
    const cy = cls === 2 ? 4 : 0;
    lines.push(`${(cx + jx).toFixed(3)},${(cy + jy).toFixed(3)},class_${cls}`);
  }
  return lines.join("\n") + "\n";
}

const suffix = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("a training search runs its trials as child runs and its study page shows them", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const dataset = `e2e-hpo-${suffix()}`;
  const runName = `e2e-search-${suffix()}`;
  const up = await page.request.post(`/api/v1/datasets?name=${dataset}&target=label`, { headers: { "content-type": "text/csv" }, data: blobsCsv() });
  expect(up.status(), await up.text()).toBe(201);

  // A bad search is refused before anything is queued.
  const bad = await page.request.post("/api/v1/training-runs", {
    data: { dataset: { name: dataset }, target: "label", family: "linear", hpo: { trials: 0 } },
  });
  expect(bad.status()).toBe(400);

  // linear by Adam: three searched parameters and epoch curves for the study page's charts (its default solve searches l2 alone).
  const res = await page.request.post("/api/v1/training-runs", {
    data: { dataset: { name: dataset }, target: "label", family: "linear", params: { epochs: 40, patience: 5, solver: "adam" }, runName, hpo: { trials: 3, seed: 1 } },
  });
  expect(res.status(), await res.text()).toBe(202);
  const { job_id: jobId } = (await res.json()) as { job_id: string };
  await expect
    .poll(async () => ((await (await page.request.get(`/api/v1/jobs/${jobId}`)).json()) as { state: string }).state, { timeout: 240_000, intervals: [1000] })
    .toBe("succeeded");

  // The REST view of the study.
  const list = (await (await page.request.get("/api/v1/studies?limit=100")).json()) as { studies: { id: string; name: string; state: string; trial_counts: Record<string, number> }[] };
  const study = list.studies.find((s) => s.name.startsWith(`${runName}-linear-`));
  expect(study, JSON.stringify(list.studies.map((s) => s.name))).toBeTruthy();
  expect(study!.state).toBe("complete");
  const counts = study!.trial_counts;
  expect((counts.COMPLETE ?? 0) + (counts.PRUNED ?? 0) + (counts.FAIL ?? 0)).toBe(3);
  const detail = (await (await page.request.get(`/api/v1/studies/${study!.id}`)).json()) as { trials: { number: number; run_id: string | null; params: Record<string, unknown> }[]; study: { parent_run_id: string } };
  expect(detail.trials.map((t) => t.number)).toEqual([0, 1, 2]);
  expect(detail.trials.every((t) => typeof t.run_id === "string" && "learning_rate" in t.params)).toBe(true);

  // The dashboard: the list links to the study page with its charts and trial table.
  await page.goto("/studies");
  await page.getByRole("link", { name: study!.name }).click();
  await expect(page).toHaveURL(new RegExp(`/studies/${study!.id}$`));
  await expect(page.getByRole("heading", { name: study!.name })).toBeVisible();
  await expect(page.getByTestId("trial-row")).toHaveCount(3);
  // One header row, its cells over the trial columns.
  const columns = await page.getByTestId("trial-row").first().locator("> td").count();
  await expect(page.locator("table:has([data-testid=trial-row]) > thead > tr > th")).toHaveCount(columns);
  await expect(page.getByTestId("intermediate-values")).toBeVisible();
  await expect(page.getByTestId("slice-plots")).toBeVisible();
  await expect(page.getByText("Parameter importance (fANOVA)")).toBeVisible();

  // Each trial is a child run of the search's parent run.
  const child = detail.trials[0]!.run_id!;
  await page.goto(`/runs/${child}`);
  await expect(page.getByText(detail.study.parent_run_id.slice(0, 8)).first()).toBeVisible();
});
