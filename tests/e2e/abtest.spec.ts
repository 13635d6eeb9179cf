import { expect, test, type APIRequestContext } from "@playwright/test";
import { E2E_ADMIN, createUserViaApi, signIn } from "./helpers";

async function call(api: APIRequestContext, method: "post" | "get", path: string, data?: unknown, status = 200) {
  const res = method === "post" ? await api.post(path, { data: data ?? {} }) : await api.get(path);
  expect(res.status(), `${method.toUpperCase()} ${path}: ${await res.text()}`).toBe(status);
  return (await res.json()) as Record<string, unknown> & { id: string; name: string };
}

/** A model with three versions through the REST API: champion → v1, challenger → v2. */
async function seedModel(api: APIRequestContext) {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const model = await call(api, "post", "/api/v1/models", { name: `ab-e2e-${suffix}` }, 201);
  for (let i = 0; i < 3; i++) await call(api, "post", `/api/v1/models/${model.name}/versions`, { source: `e2e/model-${i}` }, 201);
  await call(api, "post", `/api/v1/models/${model.name}/promote`, { version: 1, alias: "champion", reason: "baseline" });
  await call(api, "post", `/api/v1/models/${model.name}/promote`, { version: 2, alias: "challenger", reason: "candidate" });
  return model;
}

test("set up an A/B test in the form, watch it run, pause and stop it; the model page lists it", async ({ page }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const model = await seedModel(page.request);
  const name = `checkout ${Date.now().toString(36)}`;

  await page.goto("/ab-tests");
  await page.getByRole("link", { name: "New A/B test" }).click();
  await expect(page).toHaveURL(/\/ab-tests\/new/);
  await page.getByLabel("Test name").fill(name);
  await page.getByLabel("Model").selectOption(model.name);
  // Defaults: control → champion, treatment → challenger, 50/50.
  await expect(page.getByLabel("Serves").first()).toHaveValue("alias:champion");
  await expect(page.getByLabel("Serves").nth(1)).toHaveValue("alias:challenger");

  // Weights that do not sum to 100 are refused before anything is saved.
  await page.getByLabel("Weight %").nth(1).fill("40");
  await expect(page.getByTestId("weight-total")).toHaveText("Total 90%");
  await page.getByRole("button", { name: "Create and start" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "must sum to 100" })).toBeVisible();
  await page.getByLabel("Weight %").nth(1).fill("50");
  await page.getByLabel("Shadow (optional)").selectOption("version:3");
  await page.getByLabel("Minimum sample per arm").fill("500");
  await page.getByRole("button", { name: "Create and start" }).click();

  // The detail page: running, no verdict before the minimum sample, arms with their versions.
  await expect(page).toHaveURL(/\/ab-tests\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("running", { exact: true })).toBeVisible();
  await expect(page.getByTestId("verdict")).toContainText("No verdict before the minimum sample");
  await expect(page.getByTestId("n-control")).toHaveText("0");
  await expect(page.getByRole("row", { name: /shadow v3/ })).toBeVisible();
  const id = page.url().split("/").pop()!;
  const api = await call(page.request, "get", `/api/v1/ab-tests/${id}`);
  expect(api).toMatchObject({ state: "running", arms: [{ name: "control", version: 1, weight: 50 }, { name: "treatment", version: 2, weight: 50 }], shadow: { version: 3 }, min_samples: 500 });
  await page.screenshot({ path: test.info().outputPath("ab-test-running.png"), fullPage: true });

  // A second test on the same model cannot start while this one runs.
  const second = await call(page.request, "post", "/api/v1/ab-tests", { name: `${name} 2`, model: model.name, arms: [{ name: "a", version: 1, weight: 50 }, { name: "b", version: 3, weight: 50 }], metric: { kind: "mean" } }, 201);
  const refused = await page.request.post(`/api/v1/ab-tests/${second.id}/start`);
  expect(refused.status()).toBe(400);

  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByText("paused", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByText("running", { exact: true })).toBeVisible();
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByText("stopped", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0);

  // Listed on the A/B tests page and on the model page.
  await page.goto("/ab-tests");
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await page.goto(`/models/${encodeURIComponent(model.name)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/ab-tests/${id}$`));
});

test("a viewer sees results but cannot change a test", async ({ page, browser }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const model = await seedModel(page.request);
  const t = await call(page.request, "post", "/api/v1/ab-tests", { name: `viewer view ${Date.now().toString(36)}`, model: model.name, arms: [{ name: "A", alias: "champion", weight: 50 }, { name: "B", alias: "challenger", weight: 50 }], metric: { kind: "conversion" } }, 201);
  const viewer = await createUserViaApi(page.request, "viewer");
  const context = await browser.newContext();
  const vpage = await context.newPage();
  await signIn(vpage, viewer.email, viewer.password);
  await vpage.goto(`/ab-tests/${t.id}`);
  await expect(vpage.getByRole("button", { name: "Start" })).toBeDisabled();
  await expect(vpage.getByTestId("verdict")).toContainText("Not started");
  await vpage.goto("/ab-tests");
  await expect(vpage.getByRole("link", { name: "New A/B test" })).toHaveCount(0);
  await context.close();
});
