// The screens the other paths pass by: signing in and up, the S3 import tab, API keys (a key
// created, its secret shown once, examples filled in), a page that does not exist, and the
// Russian interface; each one screenshotted and scanned.
import { checkScreen, createProject, expect, signUp, test } from "./support";

test("sign-in, S3 import, API keys, not found, and the Russian interface", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await checkScreen(page, "50-sign-in");
  await page.goto("/signup");
  await checkScreen(page, "51-sign-up");
  const email = await signUp(page);

  await createProject(page, "Screens");
  await page.getByRole("link", { name: "Upload a dataset" }).click();
  await page.getByRole("tab", { name: "Import from S3" }).click();
  await expect(page.getByText(/This service does not import from S3|S3 URI of the zip/).first()).toBeVisible();
  await checkScreen(page, "52-upload-s3");

  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("New key name").fill("laptop");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = page.getByLabel("Secret of the key “laptop”");
  await expect(secret).toHaveValue(/^kst_/);
  await expect(page.getByText(await secret.inputValue()).first()).toBeVisible(); // the examples use it
  await checkScreen(page, "53-api-keys");

  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { level: 1, name: "There is no page at this address." })).toBeVisible();
  await checkScreen(page, "54-not-found");

  // Russian: the whole interface, and the choice outlives a reload
  await page.goto("/projects");
  await page.getByLabel("Language").selectOption("ru");
  await expect(page.getByRole("heading", { level: 1, name: "Проекты" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Проекты" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await checkScreen(page, "55-projects-ru");
});
