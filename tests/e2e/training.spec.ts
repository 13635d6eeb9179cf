import { expect, test } from "@playwright/test";
import { E2E_ADMIN, signIn } from "./helpers";

/**
 * A small, deterministic classification table: two numeric features and a three-class label that
 * depends on them, plus a categorical column. A linear model learns it well in a few epochs.
 */
function blobsCsv(rows = 150): string {
  const lines = ["x1,x2,colour,label"];
  for (let i = 0; i < rows; i++) {
    const cls = i % 3;
    // A fixed sequence of offsets, no Math.random: the same file every run.
    const jx = ((i * 37) % 17) / 17 - 0.5;
    const jy = ((i * 53) % 19) / 19 - 0.5;
    const centres: [number, number][] = [
      [0, 0],
      [4, 0],
      [0, 4],
    ];
    const [cx, cy] = centres[cls]!;
    lines.push(`${(cx + jx).toFixed(3)},${(cy + jy).toFixed(3)},${["red", "green", "blue"][i % 3]},class_${cls}`);
  }
  return lines.join("\n") + "\n";
}

const suffix = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

test("upload a CSV, start a training run from the form, watch it finish, and find it in the experiment", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const name = `e2e-blobs-${suffix()}`;
  const model = `e2e-blobs-model-${suffix()}`;

  // Upload through the Datasets page.
  await page.goto("/datasets");
  await page.getByLabel("CSV file").setInputFiles({ name: "blobs.csv", mimeType: "text/csv", buffer: Buffer.from(blobsCsv()) });
  await page.getByLabel("Dataset name").fill(name);
  await page.getByLabel("Target column (optional)").fill("label");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page).toHaveURL(new RegExp(`/datasets/${name}\\?version=1`));
  await expect(page.getByText("Version 1 was created and profiled.")).toBeVisible();

  // From the dataset to the training form, with dataset and version chosen.
  await page.getByRole("link", { name: "Train on this version" }).click();
  await expect(page).toHaveURL(/\/train\?dataset=/);
  await expect(page.getByLabel("Target column")).toHaveValue("label");
  await page.getByLabel("Model family").selectOption("linear");
  await page.getByLabel(/^Hyperparameters/).fill(JSON.stringify({ epochs: 80, patience: 10, learning_rate: 0.1 }));
  // Validation by 5 folds instead of one split (the run says so below).
  await page.getByLabel("Validation", { exact: true }).selectOption("5");
  await page.getByLabel("Register as model (optional)").fill(model);
  await page.getByRole("button", { name: "Start training" }).click();

  // The Jobs page opens with the new job highlighted; its progress reaches 100% and it links to the run.
  await expect(page).toHaveURL(/\/jobs\?highlight=/);
  const jobId = new URL(page.url()).searchParams.get("highlight")!;
  const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
  await expect(row).toHaveAttribute("data-highlighted", "true");
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout: 150_000 });
  await expect(row.getByText("100%")).toBeVisible();
  await expect(row.getByRole("link", { name: `${model} v1 (champion)` })).toBeVisible();
  await row.getByRole("link", { name: /^Open run / }).click();

  // The run page: finished, with test metrics and the model artifact.
  await expect(page).toHaveURL(/\/runs\/[0-9a-f]{32}$/);
  await expect(page.getByText("FINISHED").first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "test_accuracy", exact: true })).toBeVisible();
  await expect(page.getByRole("row").filter({ has: page.getByRole("cell", { name: "validation", exact: true }) })).toContainText("5-fold cross-validation");
  await expect(page.getByTestId("artifact-row").filter({ hasText: "model" }).first()).toBeVisible();

  // The experiment (named after the dataset) lists the run.
  const runId = page.url().split("/").pop()!;
  await page.getByRole("link", { name, exact: true }).first().click();
  await expect(page).toHaveURL(/\/experiments\/\d+/);
  await expect(page.getByTestId("run-row")).toHaveCount(1);
  await expect(page.locator(`a[href="/runs/${runId}"]`).first()).toBeVisible();
});

test("create a pipeline from the form, run it now, and see the registered version in its history", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const dataset = `e2e-pl-${suffix()}`;
  const res = await page.request.post(`/api/v1/datasets?name=${dataset}&target=label`, { headers: { "content-type": "text/csv" }, data: blobsCsv() });
  expect(res.status(), await res.text()).toBe(201);
  const pipeline = `e2e-pipeline-${suffix()}`;
  const model = `e2e-pl-model-${suffix()}`;

  await page.goto("/pipelines");
  await page.getByRole("link", { name: "New pipeline" }).click();
  await page.getByLabel("Pipeline name").fill(pipeline);
  await page.getByLabel("Dataset", { exact: true }).selectOption(dataset);
  await expect(page.getByLabel("Target column")).toHaveValue("label");
  await page.getByLabel("Model family").selectOption("linear");
  await page.getByLabel(/^Hyperparameters \(JSON/).fill(JSON.stringify({ epochs: 80, patience: 10, learning_rate: 0.1 }));
  await page.getByLabel("Evaluation gate metric").selectOption("accuracy");
  await page.getByLabel(/^Gate: test accuracy at least/).fill("0.5");
  await page.getByLabel("Register as model (optional)").fill(model);
  await page.getByLabel("Promotion policy").selectOption("champion-if-better");
  await page.getByLabel("Cron schedule, UTC (optional)").fill("0 3 * * *");
  await page.getByRole("button", { name: "Create pipeline" }).click();

  await expect(page.getByRole("heading", { name: pipeline })).toBeVisible();
  await expect(page.getByText("0 3 * * *")).toBeVisible();
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByText("Run queued; it appears in the history below.")).toBeVisible();
  const run = page.getByTestId("pipeline-run-row").first();
  await expect(run).toHaveAttribute("data-state", "succeeded", { timeout: 150_000 });
  await expect(run.getByRole("link", { name: `${model} v1 (champion)` })).toBeVisible();
  await expect(run.getByTestId("pipeline-run-message")).toContainText("Gate passed");

  // The list shows it with its schedule and last run.
  await page.goto("/pipelines");
  const listed = page.getByTestId("pipeline-row").filter({ hasText: pipeline });
  await expect(listed).toContainText("cron 0 3 * * *");
  await expect(listed).toContainText("succeeded");
});
