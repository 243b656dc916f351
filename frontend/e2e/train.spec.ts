// The whole classification path a new user takes, in the browser against the real service:
// sign up, upload the few-shot flowers, read the health report, pick a catalog model, set
// a tiny training, watch it live (and reload mid-way), read the results, try the model on
// an image and download its package.
import { readFileSync } from "node:fs";
import { checkScreen, contentLink, createProject, dataset, expect, signUp, test, zipEntry, zipNames } from "./support";

const FLOWERS = dataset("flowers12_fewshot.zip");

test("upload, check, choose, train live, results, try it, download", async ({ page }) => {
  await signUp(page);
  await checkScreen(page, "01-projects");
  await createProject(page, "Flowers");
  await checkScreen(page, "02-project-empty");

  await page.getByRole("link", { name: "Upload a dataset" }).click();
  await page.getByLabel("Zip file with your images").setInputFiles(FLOWERS);
  await expect(page.getByLabel("Dataset name")).toHaveValue("flowers12_fewshot");
  await checkScreen(page, "03-upload-chosen");
  await page.getByRole("button", { name: "Upload", exact: true }).click();

  // the health report of version 1
  await expect(page.getByRole("heading", { name: "Can it train?" })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText(/Version 1 (is ready to train|can train, but check these warnings first)/)).toBeVisible();
  await expect(page.getByRole("table", { name: /Images per class and split/ })).toBeVisible();
  await checkScreen(page, "04-dataset-health");

  await contentLink(page, "Choose a model").click();
  await page.getByRole("tab", { name: "Catalog" }).click();
  await expect(page.getByRole("table", { name: "Catalog models for this task" })).toBeVisible();
  await page.getByLabel("efficientnet_b0", { exact: true }).check();
  await checkScreen(page, "05-choose-catalog");
  await page.getByRole("link", { name: "Continue with efficientnet_b0" }).click();

  // the settings, chosen from the data; only what is changed is sent
  await expect(page.getByText("The automatic choices are up to date.")).toBeVisible();
  await checkScreen(page, "06-settings");
  await page.getByLabel("Epochs", { exact: true }).fill("10");
  await page.getByLabel("Image size (px)").fill("32");
  await page.getByLabel("Batch size").fill("16");
  await expect(page.getByText(/The service will train for 10 epochs/)).toBeVisible();
  await page.getByRole("button", { name: "Start training" }).click();

  // the job: epochs arrive live over SSE and fill the chart's table twin
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { level: 2, name: "Training efficientnet_b0" })).toBeVisible();
  await page.getByText("Every epoch as a table").click();
  const epochRows = page.locator("details:has(> summary:text('Every epoch as a table')) tbody tr");
  await expect(epochRows.first()).toBeVisible({ timeout: 300_000 });
  await checkScreen(page, "07-job-running");

  // a reload mid-training finds the job where it is: still running, the epochs so far, and
  // the rest arriving live
  await page.reload();
  await expect(page.getByRole("definition").filter({ hasText: /^Running$/ })).toBeVisible();
  await page.getByText("Every epoch as a table").click();
  await expect(epochRows.first()).toBeVisible();
  await expect(epochRows).toHaveCount(10, { timeout: 300_000 });
  await expect(page.getByText("Training finished: the model is evaluated and packaged.")).toBeVisible({ timeout: 300_000 });
  await checkScreen(page, "08-job-finished");

  await page.getByRole("link", { name: "See the results" }).click();
  await expect(page.getByRole("heading", { name: "efficientnet_b0" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Per class" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Per class" }).getByRole("row")).toHaveCount(13); // header + 12
  await checkScreen(page, "09-model-results");

  await page.getByRole("tab", { name: "Errors" }).click();
  await expect(page.getByRole("heading", { name: "The most confident errors" })).toBeVisible();
  await checkScreen(page, "10-model-errors");

  // try it: one of the dataset's own images through the package's predict.py
  const image = zipEntry(FLOWERS, (name) => /\.(jpe?g|png)$/i.test(name));
  await page.getByRole("tab", { name: "Try it" }).click();
  await page.getByLabel(/Images to try/).setInputFiles({
    name: image.name.split("/").pop()!,
    mimeType: image.name.toLowerCase().endsWith(".png") ? "image/png" : "image/jpeg",
    buffer: image.data,
  });
  await page.getByRole("button", { name: "Run the model" }).click();
  const labels = page.getByRole("list", { name: /Most likely labels for/ });
  await expect(labels).toBeVisible({ timeout: 120_000 });
  expect(await labels.getByRole("listitem").count()).toBeGreaterThanOrEqual(1);
  await checkScreen(page, "11-model-try");

  await page.getByRole("tab", { name: "Parity" }).click();
  await expect(page.getByText(/Agreement with PyTorch/).first()).toBeVisible();
  await checkScreen(page, "12-model-parity");

  // the package: every format, predict.py and the labels
  await page.getByRole("tab", { name: "Download" }).click();
  await expect(page.getByRole("table", { name: "Files in the package" })).toBeVisible();
  await checkScreen(page, "13-model-download");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download the package" }).click(),
  ]);
  const saved = test.info().outputPath(download.suggestedFilename());
  await download.saveAs(saved);
  const names = zipNames(saved).map((name) => name.split("/").pop());
  expect(names).toEqual(expect.arrayContaining(["model.onnx", "predict.py", "labels.json", "README.md"]));
  expect(readFileSync(saved).length).toBeGreaterThan(100_000);
});
