import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../../playwright.config";

export { E2E_ADMIN };

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/signin/);
}

/** Creates a user through the REST API as the signed-in admin of `request`. */
export async function createUserViaApi(request: APIRequestContext, role: "viewer" | "editor" | "admin") {
  const email = `${role}-${Date.now().toString(36)}@example.com`;
  const password = "e2e-password-1";
  const res = await request.post("/api/v1/users", { data: { email, password, role } });
  expect(res.status()).toBe(201);
  return { email, password };
}
