import { expect, test } from "@playwright/test";
import { E2E_ADMIN, createUserViaApi, signIn } from "./helpers";

test("signed-out visitors are sent to sign-in, and the API answers 401", async ({ page, request }) => {
  await page.goto("/jobs");
  await expect(page).toHaveURL(/\/signin/);
  const res = await request.get("/api/v1/jobs");
  expect(res.status()).toBe(401);
  expect((await res.json()).error.code).toBe("unauthenticated");
});

test("a wrong password is refused with a message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  // Filtered: Next adds its own (empty) role="alert" route announcer.
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password" })).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});

test("the admin signs in and sees the dashboard navigation", async ({ page }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const nav = page.getByRole("navigation");
  for (const item of ["Experiments", "Models", "A/B tests", "Drift", "Datasets", "Jobs", "Settings"]) {
    await expect(nav.getByRole("link", { name: item })).toBeVisible();
  }
  await expect(page.getByText(E2E_ADMIN.email)).toBeVisible();
});

test("a job's progress bar moves to done", async ({ page }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  await page.goto("/jobs");
  const before = await page.getByTestId("job-row").count();
  await page.getByRole("button", { name: "Run cleanup now" }).click();
  await expect(page.getByTestId("job-row")).toHaveCount(before + 1);
  const row = page.getByTestId("job-row").first();
  await expect(row).toContainText("maintenance.cleanup");
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout: 30_000 });
  await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await page.screenshot({ path: test.info().outputPath("jobs-done.png"), fullPage: true });
});

test("a viewer is refused an editor action", async ({ page, browser }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const viewer = await createUserViaApi(page.request, "viewer");
  // A queued job far in the future gives the viewer something to try to cancel.
  await page.goto("/jobs");
  await page.getByRole("button", { name: "Run cleanup now" }).click();

  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer.email, viewer.password);
  await viewerPage.goto("/jobs");
  await expect(viewerPage.getByTestId("job-row").first()).toBeVisible();
  // The dashboard shows why the action is unavailable…
  const cancel = viewerPage.getByRole("button", { name: "Cancel" }).first();
  if (await cancel.count()) await expect(cancel).toBeDisabled();
  // …and the server refuses it even when called directly.
  const jobs = await (await viewerPage.request.get("/api/v1/jobs")).json();
  const res = await viewerPage.request.post(`/api/v1/jobs/${jobs.jobs[0].id}/cancel`);
  expect(res.status()).toBe(403);
  expect((await res.json()).error.code).toBe("forbidden");
  // Admin pages are closed to viewers.
  await viewerPage.goto("/settings/users");
  await expect(viewerPage.getByText("Only admins can manage users")).toBeVisible();
  const create = await viewerPage.request.post("/api/v1/users", {
    data: { email: "x@example.com", password: "password-1", role: "admin" },
  });
  expect(create.status()).toBe(403);
  await viewerPage.screenshot({ path: test.info().outputPath("viewer-refused.png"), fullPage: true });
  await context.close();
});
