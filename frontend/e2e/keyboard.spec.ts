// The path from an empty account to a running job with the keyboard alone: Tab to reach each
// control, Enter or Space to use it (the file chooser too), and the job cancelled the same way.
import type { Locator, Page } from "@playwright/test";
import { contentLink, dataset, expect, test } from "./support";

/** Press Tab until `target` has the focus, as a keyboard user would. */
async function tabTo(page: Page, target: Locator, most = 80): Promise<void> {
  await expect(target).toBeVisible();
  for (let i = 0; i < most; i += 1) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target} was not reached with ${most} presses of Tab`);
}

test("sign up, upload, choose, set and start a training, then cancel it, by keyboard only", async ({ page }) => {
  await page.goto("/signup");
  await tabTo(page, page.getByLabel("Email"));
  await page.keyboard.type(`keys-${Date.now()}@example.com`);
  await tabTo(page, page.getByLabel("Password"));
  await page.keyboard.type("correct horse battery");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();

  await tabTo(page, page.getByLabel("New project name"));
  await page.keyboard.type("Keyboard");
  await page.keyboard.press("Enter");
  await tabTo(page, page.getByRole("link", { name: "Keyboard" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Keyboard" })).toBeVisible();

  await tabTo(page, page.getByRole("link", { name: "Upload a dataset" }));
  await page.keyboard.press("Enter");
  await tabTo(page, page.getByLabel("Zip file with your images"));
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Space")]);
  await chooser.setFiles(dataset("flowers12_fewshot.zip"));
  await tabTo(page, page.getByRole("button", { name: "Upload", exact: true }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Can it train?" })).toBeVisible({ timeout: 120_000 });

  await tabTo(page, contentLink(page, "Choose a model"));
  await page.keyboard.press("Enter");
  // the tabs are one stop (the selected one, Recommended); the arrow keys move between them
  await tabTo(page, page.getByRole("tab", { name: "Recommended" }));
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Catalog" })).toBeFocused();
  const next = page.getByRole("link", { name: /^Continue with / });
  await tabTo(page, next);
  await page.keyboard.press("Enter");

  await expect(page.getByText("The automatic choices are up to date.")).toBeVisible();
  for (const [label, value] of [["Epochs", "50"], ["Image size (px)", "32"]] as const) {
    await tabTo(page, page.getByLabel(label, { exact: true }));
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type(value);
  }
  await expect(page.getByText(/The service will train for 50 epochs/)).toBeVisible();
  await tabTo(page, page.getByRole("button", { name: "Start training" }));
  await page.keyboard.press("Enter");

  await expect(page).toHaveURL(/\/jobs\//);
  await tabTo(page, page.getByRole("button", { name: "Cancel the job" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Stop the job" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByText("This job was cancelled.")).toBeVisible({ timeout: 120_000 });
});
