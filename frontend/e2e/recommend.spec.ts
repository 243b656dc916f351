// The recommender in the browser against the real service: upload the few-shot flowers, read
// their health report, open the choice of model on its first tab, Recommended (the catalog's
// classification models ranked for this dataset), and train the top-ranked one in one click:
// the job page opens on that model's training (cancelled there, to keep the run short).
import { checkScreen, contentLink, createProject, dataset, expect, signUp, test } from "./support";

test("upload, check, Recommended, train the top-ranked model in one click, its job", async ({ page }) => {
  await signUp(page);
  await createProject(page, "Recommended");
  await page.getByRole("link", { name: "Upload a dataset" }).click();
  await page.getByLabel("Zip file with your images").setInputFiles(dataset("flowers12_fewshot.zip"));
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Can it train?" })).toBeVisible({ timeout: 120_000 });
  await contentLink(page, "Choose a model").click();

  // the first way to choose, opened by default: the top three as cards, the rest as a table
  await expect(page.getByRole("tab", { name: "Recommended" })).toHaveAttribute("aria-selected", "true");
  const cards = page.getByRole("region", { name: /^[123]\. / });
  await expect(cards).toHaveCount(3, { timeout: 120_000 });
  const top = cards.first();
  const model = (await top.getByRole("heading").textContent())!.replace(/^1\. /, "");
  await expect(top).toContainText(/Predicted proxy accuracy\s*\d+(\.\d)? %/);
  await expect(top.getByRole("list", { name: `What moved ${model}'s score` }).getByRole("listitem")).toHaveCount(4);
  await expect(page.getByText(/It is not the accuracy a full training here will reach/)).toBeVisible();
  await expect(page.getByRole("table", { name: "The other classification models, ranked" })).toBeVisible();
  await checkScreen(page, "31-choose-recommended");

  // one click: the training is queued and its page opens
  await top.getByRole("button", { name: /^Train this model/ }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { level: 2, name: `Training ${model}` })).toBeVisible();
  await checkScreen(page, "32-recommended-job");
  await page.getByRole("button", { name: "Cancel the job" }).click();
  await page.getByRole("button", { name: "Stop the job" }).click();
  await expect(page.getByText("This job was cancelled.")).toBeVisible({ timeout: 120_000 });
});
