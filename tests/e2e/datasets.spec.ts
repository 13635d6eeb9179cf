import { expect, test } from "@playwright/test";
import { E2E_ADMIN, signIn } from "./helpers";

/** Zip codes with leading zeros (inferred integer), a numeric column, a duplicate row and a missing value. */
const CSV = [
  "zip,income,segment",
  "02139,52000.5,a",
  "10001,61000,b",
  "02139,52000.5,a",
  "94105,,c",
  "60601,48000.25,a",
  "30301,75000,b",
  "02139,58000,c",
  "73301,39000.75,a",
].join("\n");

test("upload a CSV and inspect its preview, schema override, profile and validation report", async ({ page }) => {
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const name = `e2e-zips-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  await page.goto("/datasets");
  await page.getByLabel("CSV file").setInputFiles({ name: "zips.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
  await page.getByLabel("Dataset name").fill(name);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page).toHaveURL(new RegExp(`/datasets/${name}`));

  // Preview: the first rows as written (leading zeros kept).
  await expect(page.getByTestId("preview-row")).toHaveCount(8);
  await expect(page.getByTestId("preview-row").first()).toContainText("02139");

  // Validation report: the duplicate row and the missing income are reported.
  const report = page.getByTestId("validation-report");
  await expect(report).toContainText("Duplicate rows");
  await expect(report.getByTestId("validation-issue").filter({ hasText: "1 row repeats an earlier row" })).toHaveCount(1);
  await expect(report.getByRole("table", { name: "Missing values" })).toContainText("income");

  // Profile: a histogram for the numeric column, frequent values for the categorical one.
  await expect(page.getByRole("img", { name: "Histogram of income" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Most frequent values of segment" })).toBeVisible();

  // Schema: zip was inferred as integer; override it to categorical and save.
  const zipType = page.getByLabel("Type of zip");
  await expect(zipType).toHaveValue("integer");
  await zipType.selectOption("categorical");
  await page.getByRole("button", { name: "Save schema" }).click();
  await expect(page.getByText("Schema saved; profile and validation report were recomputed.")).toBeVisible();
  await expect(page.getByTestId("schema-row").filter({ hasText: "zip" })).toContainText("overridden");
  await expect(page.getByRole("img", { name: "Most frequent values of zip" })).toBeVisible();

  // A type the data does not fit is refused with the offending value.
  await page.getByLabel("Type of segment").selectOption("numeric");
  await page.getByRole("button", { name: "Save schema" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "cannot be numeric" })).toContainText("Column 'segment' cannot be numeric: the value 'a' on line 2 is not a number");

  // The list links to the dataset.
  await page.goto("/datasets");
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
});
