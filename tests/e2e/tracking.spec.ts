import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_ADMIN, createUserViaApi, signIn } from "./helpers";

type Json = Record<string, unknown> & { id: string; name: string };

async function call(api: APIRequestContext, method: "post" | "patch", path: string, data: unknown, status = 200): Promise<Json> {
  const res = await api[method](path, { data });
  expect(res.status(), `${method.toUpperCase()} ${path}: ${await res.text()}`).toBe(status);
  return (await res.json()) as Json;
}

/** A training curve that rises to `top`, as a log-batch payload. */
function accuracyCurve(top: number, steps = 30) {
  return Array.from({ length: steps }, (_, step) => ({ key: "accuracy", value: top - (top - 0.5) * Math.exp(-step / 6), step, timestamp: Date.now() }));
}

/**
 * Seeds through the real REST API, signed in as the admin (the session cookie of `page`): an
 * experiment, two finished runs with params and a metric series, and a model with a version
 * from each run, version 1 being the champion.
 */
async function seed(page: Page) {
  const api = page.request;
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const experiment = await call(api, "post", "/api/v1/experiments", { name: `e2e-churn-${suffix}`, tags: { team: "e2e" } }, 201);
  const runs: Json[] = [];
  for (const [name, lr, top] of [
    [`baseline-${suffix}`, "0.1", 0.82],
    [`tuned-${suffix}`, "0.01", 0.91],
  ] as const) {
    const run = await call(api, "post", "/api/v1/runs", { experimentId: experiment.id, name }, 201);
    await call(api, "post", `/api/v1/runs/${run.id}/log-batch`, {
      params: [
        { key: "lr", value: lr },
        { key: "max_depth", value: "4" },
      ],
      metrics: accuracyCurve(top),
    });
    await call(api, "patch", `/api/v1/runs/${run.id}`, { status: "FINISHED" });
    runs.push(run);
  }
  const model = await call(api, "post", "/api/v1/models", { name: `churn-${suffix}`, description: "e2e model" }, 201);
  for (const run of runs) {
    await call(api, "post", `/api/v1/models/${model.name}/versions`, { source: `runs:/${run.id}/model`, runId: run.id }, 201);
  }
  await call(api, "post", `/api/v1/models/${model.name}/promote`, { version: 1, alias: "champion", reason: "first baseline" });
  return { experiment, runs: runs as [Json, Json], model };
}

test("compare two runs, promote version 2 with a reason, and find the audit entry", async ({ page }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const { experiment, runs, model } = await seed(page);
  const [a, b] = runs;

  // The experiment's runs table: select both runs and compare them.
  await page.goto(`/experiments/${experiment.id}`);
  await expect(page.getByTestId("run-row")).toHaveCount(2);
  await page.getByLabel(`Select run ${a.name}`, { exact: true }).check();
  await page.getByLabel(`Select run ${b.name}`, { exact: true }).check();
  await page.getByRole("link", { name: "Compare (2)" }).click();
  await expect(page).toHaveURL(/\/compare\?runs=/);

  // Both curves are drawn and named in the legend.
  await expect(page.getByTestId("legend-entry").filter({ hasText: a.name })).toBeVisible();
  await expect(page.getByTestId("legend-entry").filter({ hasText: b.name })).toBeVisible();
  const chart = page.locator('[data-testid="metric-chart"][data-metric="accuracy"]');
  await expect(chart.locator("path.metric-line")).toHaveCount(2);

  // Params side by side: lr differs, max_depth does not, and "Only differences" hides it.
  const lr = page.locator('[data-testid="param-row"][data-key="lr"]');
  const depth = page.locator('[data-testid="param-row"][data-key="max_depth"]');
  await expect(lr).toHaveAttribute("data-differs", "true");
  await expect(lr).toContainText("0.1");
  await expect(lr).toContainText("0.01");
  await expect(depth).toHaveAttribute("data-differs", "false");
  await page.getByLabel("Only differences").check();
  await expect(depth).toHaveCount(0);
  await expect(lr).toBeVisible();
  await expect(page.getByTestId("parallel-coordinates")).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("compare.png"), fullPage: true });

  // The model page: version 1 is champion; promote version 2 through the confirm dialog.
  await page.goto(`/models/${model.name}`);
  const champion = page.locator('[data-testid="alias-card"][data-alias="champion"]');
  await expect(champion).toHaveAttribute("data-version", "1");
  await page.getByRole("button", { name: "Promote version 2" }).click();
  const dialog = page.getByRole("dialog", { name: `Promote version 2 of ${model.name}` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Alias")).toHaveValue("champion");
  const reason = `Tuned lr: +9 points of accuracy (${Date.now()})`;
  await dialog.getByLabel("Reason").fill(reason);
  await page.screenshot({ path: test.info().outputPath("promote-dialog.png"), fullPage: true });
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog).toBeHidden();

  // The alias moved, and the promotion is listed with its reason.
  await expect(champion).toHaveAttribute("data-version", "2");
  await expect(page.locator('[data-testid="version-row"][data-version="2"] [data-testid="alias-badge"]')).toHaveText("champion");
  await expect(page.locator('[data-testid="version-row"][data-version="1"] [data-testid="alias-badge"]')).toHaveCount(0);
  const entry = page.getByTestId("promotion-row").filter({ hasText: reason });
  await expect(entry).toContainText("v1 → v2");
  await expect(entry).toContainText(E2E_ADMIN.email);
  await expect(page.getByRole("button", { name: "Roll back champion to version 1" })).toBeEnabled();
  await page.screenshot({ path: test.info().outputPath("promoted.png"), fullPage: true });

  // The audit API holds the same entry.
  const audit = await page.request.get("/api/v1/audit?target_type=registered_model&limit=100");
  expect(audit.status()).toBe(200);
  const entries = (await audit.json()).entries as { action: string; actorLabel: string; details: Record<string, unknown> }[];
  const promotion = entries.find((e) => e.action === "model.promote" && e.details.reason === reason);
  expect(promotion, "audit entry of the promotion").toBeTruthy();
  expect(promotion!.details).toMatchObject({ model: model.name, alias: "champion", from_version: 1, to_version: 2 });
  expect(promotion!.actorLabel).toBe(E2E_ADMIN.email);
});

test("a viewer sees why Promote is disabled", async ({ page, browser }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const { model } = await seed(page);
  const viewer = await createUserViaApi(page.request, "viewer");

  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer.email, viewer.password);
  await viewerPage.goto(`/models/${model.name}`);
  const promote = viewerPage.getByRole("button", { name: "Promote version 2" });
  await expect(promote).toBeDisabled();
  await expect(promote).toHaveAttribute("title", "Editors and admins can promote");
  await expect(viewerPage.getByTestId("promote-disabled-reason")).toContainText("Editors and admins can promote");
  // The server refuses too.
  const res = await viewerPage.request.post(`/api/v1/models/${model.name}/promote`, { data: { version: 2, reason: "sneaky" } });
  expect(res.status()).toBe(403);
  await viewerPage.screenshot({ path: test.info().outputPath("viewer-model.png"), fullPage: true });
  await context.close();
});
