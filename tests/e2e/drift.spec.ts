import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { E2E_ADMIN, signIn } from "./helpers";

const IRIS = join(import.meta.dirname, "..", "..", "..", "shared", "datasets", "iris.csv");
const FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"];

async function ok(res: Awaited<ReturnType<APIRequestContext["get"]>>, status = 200) {
  expect(res.status(), await res.text()).toBe(status);
  return res.json();
}

async function waitForJob(api: APIRequestContext, id: string): Promise<{ state: string; result: unknown; error: string | null }> {
  for (let i = 0; i < 240; i++) {
    const job = (await ok(await api.get(`/api/v1/jobs/${id}`))) as { state: string; result: unknown; error: string | null };
    if (job.state === "succeeded" || job.state === "dead" || job.state === "cancelled") return job;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`job ${id} did not finish`);
}

/**
 * Through the real API: the iris dataset, a model trained by the worker (which stores its reference
 * profile), and 200 predictions whose sepal and petal lengths are shifted by +2.
 */
async function seed(api: APIRequestContext) {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const dataset = `iris-drift-${suffix}`;
  const model = `iris-drift-${suffix}`;
  await ok(await api.post(`/api/v1/datasets?name=${dataset}`, { headers: { "content-type": "text/csv" }, data: readFileSync(IRIS) }), 201);
  const queued = (await ok(
    await api.post("/api/v1/training-runs", { data: { dataset: { name: dataset }, target: "target", family: "linear", params: { epochs: 40, learning_rate: 0.1 }, register: { name: model } } }),
    202,
  )) as { job_id: string };
  const trained = await waitForJob(api, queued.job_id);
  expect(trained.state, trained.error ?? "").toBe("succeeded");

  const rows = readFileSync(IRIS, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").slice(0, 4).map(Number));
  const instances = Array.from({ length: 200 }, (_, i) => {
    const x = rows[(i * 7) % rows.length]!;
    return Object.fromEntries(FEATURES.map((f, j) => [f, j === 1 ? x[j]! : x[j]! + 2]));
  });
  await ok(await api.post(`/api/v1/models/${model}/predict`, { data: { instances } }));
  return { model };
}

test("run a drift report from the Drift page, read the per-column table and acknowledge the alert", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const { model } = await seed(page.request);

  await page.goto(`/drift/${model}`);
  await expect(page.getByRole("heading", { name: `Drift · ${model}` })).toBeVisible();

  // Monitor settings: an hourly schedule and the retraining policy, saved through the form.
  await page.getByLabel("Schedule (cron, UTC; empty: on demand only)").fill("0 * * * *");
  await page.getByLabel("Retrain when drift persists").check();
  await page.getByLabel("Consecutive reports (K)").fill("3");
  await page.getByRole("button", { name: "Save monitor" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Saved\./ })).toBeVisible();
  const monitor = (await ok(await page.request.get(`/api/v1/models/${model}/drift/monitor`))) as { schedule: string; retrain_policy: { enabled: boolean; consecutive: number } };
  expect(monitor).toMatchObject({ schedule: "0 * * * *", retrain_policy: { enabled: true, consecutive: 3 } });

  // A report on demand: the worker runs it over the last 24 hours of predictions.
  await page.getByRole("button", { name: "Run report now" }).click();
  await expect(page.getByText(/Report queued/)).toBeVisible();
  await expect
    .poll(async () => ((await ok(await page.request.get(`/api/v1/models/${model}/drift/reports`))) as { reports: unknown[] }).reports.length, { timeout: 60_000 })
    .toBe(1);

  await page.reload();
  const row = page.getByTestId("report-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByText("drift").first()).toBeVisible();
  await row.getByRole("link").click();

  await expect(page.getByTestId("dataset-verdict")).toHaveText("Drift");
  // Four features and the predictions, each with its test, statistic and verdict.
  await expect(page.getByTestId("column-row")).toHaveCount(5);
  const petal = page.getByTestId("column-row").filter({ hasText: "petal length (cm)" });
  await expect(petal.getByText("ks")).toBeVisible();
  await expect(petal.getByText("drift", { exact: true })).toBeVisible();
  await petal.getByRole("link", { name: "petal length (cm)" }).click();
  await expect(page.getByRole("heading", { name: "petal length (cm): reference and current" })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Reference and current distribution of petal length (cm)" })).toBeVisible();

  // The drift alert on the Drift page, acknowledged.
  await page.goto("/drift");
  const alert = page.getByTestId("alert-row").filter({ hasText: model });
  await expect(alert).toHaveCount(1);
  await alert.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.getByTestId("alert-row").filter({ hasText: model })).toHaveCount(0);
  const alerts = (await ok(await page.request.get(`/api/v1/alerts?model=${model}`))) as { alerts: { acknowledged_at: string | null }[] };
  expect(alerts.alerts[0]!.acknowledged_at).not.toBeNull();
});

test("upload a CSV of current data on the Drift page and get a report over it", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const { model } = await seed(page.request);

  await page.goto(`/drift/${model}`);
  // The training data itself as the current window: nothing drifted.
  await page.getByLabel("CSV of current data").setInputFiles(IRIS);
  await expect(page.getByText(/Report on iris\.csv queued/)).toBeVisible();
  await expect
    .poll(async () => ((await ok(await page.request.get(`/api/v1/models/${model}/drift/reports`))) as { reports: unknown[] }).reports.length, { timeout: 60_000 })
    .toBe(1);
  await page.reload();
  await page.getByTestId("report-row").getByRole("link").click();
  await expect(page.getByTestId("dataset-verdict")).toHaveText("No drift");
  const petal = page.getByTestId("column-row").filter({ hasText: "petal length (cm)" });
  await expect(petal.getByText("ok", { exact: true })).toBeVisible();
});
