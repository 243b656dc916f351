// Architecture search in the browser: a tiny Hyper-DARTS search on the few-shot flowers, its
// accuracy/cost family plotted on the choose screen, and a point of the front opened to show
// that member's architecture.
import { checkScreen, contentLink, createProject, dataset, expect, signUp, test } from "./support";

test("a Hyper-DARTS search: live job, then its family's front with each member's cells", async ({ page }) => {
  await signUp(page);
  await createProject(page, "Search");
  await page.getByRole("link", { name: "Upload a dataset" }).click();
  await page.getByLabel("Zip file with your images").setInputFiles(dataset("flowers12_fewshot.zip"));
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Can it train?" })).toBeVisible({ timeout: 120_000 });
  await contentLink(page, "Choose a model").click();

  await page.getByRole("tab", { name: "Architecture search" }).click();
  await expect(page.getByLabel("Strategy")).toHaveValue("hyper_darts");
  await expect(page.getByText(/No earlier search in this project yet/)).toBeVisible();
  await page.getByLabel("Search epochs").fill("1");
  await page.getByLabel("Retraining epochs").fill("1");
  await checkScreen(page, "40-search-form");
  await page.getByRole("button", { name: "Start the search" }).click();

  await expect(page.getByRole("heading", { level: 2, name: /Architecture search/ })).toBeVisible();
  await expect(page.getByText("Training finished: the model is evaluated and packaged.")).toBeVisible({ timeout: 480_000 });
  await checkScreen(page, "41-search-job");

  // back to choosing (the stepper's step): the family of the finished search, point by point
  await page.getByRole("navigation", { name: "Progress" }).getByRole("link", { name: "Choose a model" }).click();
  await page.getByRole("tab", { name: "Architecture search" }).click();
  await expect(page.getByText(/\d+ architectures?, \d+ of them on the front\./)).toBeVisible();
  const points = page.getByRole("button", { name: /^Member \d+: .*, on the front/ });
  expect(await points.count()).toBeGreaterThanOrEqual(1);
  await points.first().click();
  const card = page.getByRole("region", { name: /^Member \d+$/ });
  await expect(card).toContainText("Normal cell (cell 1):");
  await expect(card).toContainText("Reduction cell (cells 2, 3):");
  await expect(card.getByRole("button", { name: "Train this member" })).toBeVisible();
  await checkScreen(page, "42-search-family");

  // the search's own model shows the same family, opened at the member it kept
  await page.goBack();
  await page.getByRole("link", { name: "See the results" }).click();
  await page.getByRole("tab", { name: "Search family" }).click();
  await expect(page.getByText("The search kept this one: it is the search's own retrained model.")).toBeVisible();
  await checkScreen(page, "43-search-model-family");
});
