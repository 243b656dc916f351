// Detection in the browser: COCO128 (YOLO layout) uploaded, a YOLO detector trained for one
// epoch, its results read and the model tried on an image, with the boxes it found listed.
import { checkScreen, contentLink, createProject, dataset, expect, signUp, test, zipEntry } from "./support";

const COCO = dataset("coco128.zip");

test("a detector from a YOLO dataset: health, training, results, boxes on a tried image", async ({ page }) => {
  await signUp(page);
  await createProject(page, "Street scenes");
  await page.getByRole("link", { name: "Upload a dataset" }).click();
  await page.getByLabel("Zip file with your images").setInputFiles(COCO);
  await page.getByRole("button", { name: "Upload", exact: true }).click();

  await expect(page.getByRole("heading", { name: "Can it train?" })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText("Object detection").first()).toBeVisible();
  await expect(page.getByRole("table", { name: /Boxes per class and split/ })).toBeVisible();
  await expect(page.getByText("The labelled boxes are drawn on the examples.")).toBeVisible();
  await checkScreen(page, "20-detect-health");

  await contentLink(page, "Choose a model").click();
  await expect(page.getByText("Models that can learn this dataset's task (detection).")).toBeVisible();
  await page.getByLabel("yolo11n", { exact: true }).check();
  await checkScreen(page, "21-detect-catalog");
  await page.getByRole("link", { name: "Continue with yolo11n" }).click();

  await expect(page.getByText("The automatic choices are up to date.")).toBeVisible();
  await page.getByLabel("Epochs", { exact: true }).fill("1");
  await page.getByLabel("Image size (px)").fill("64");
  await page.getByLabel("Batch size").fill("16");
  await expect(page.getByText(/The service will train for 1 epoch on/)).toBeVisible();
  await checkScreen(page, "22-detect-settings");
  await page.getByRole("button", { name: "Start training" }).click();

  await expect(page.getByText("Training finished: the model is evaluated and packaged.")).toBeVisible({ timeout: 480_000 });
  await checkScreen(page, "23-detect-job");
  await page.getByRole("link", { name: "See the results" }).click();
  await expect(page.getByRole("heading", { name: "yolo11n" })).toBeVisible();
  await expect(page.getByText("object detection")).toBeVisible();
  await expect(page.getByText("mAP50", { exact: true }).first()).toBeVisible();
  // one epoch from scratch finds nothing yet, and the page says so rather than showing 0 % quietly
  await expect(page.getByRole("note").first()).toContainText("Finds (almost) no objects");
  await checkScreen(page, "24-detect-results");

  // try it: a one-epoch detector from scratch is unsure of everything, so at threshold 0 it
  // answers with its best guesses; each box it lists is drawn over the image
  const image = zipEntry(COCO, (name) => /images\/.*\.jpe?g$/i.test(name));
  await page.getByRole("tab", { name: "Try it" }).click();
  await page.getByLabel(/Images to try/).setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: image.data });
  await page.getByLabel(/Minimum confidence of a box/).fill("0");
  await page.getByRole("button", { name: "Run the model" }).click();
  const found = page.getByText(/^\d+ box(es)? found in photo\.jpg$/);
  await expect(found).toBeVisible({ timeout: 120_000 });
  const count = Number((await found.textContent())!.split(" ")[0]);
  expect(count).toBeGreaterThan(0);
  await expect(page.getByRole("img", { name: "Your image photo.jpg" })).toBeVisible();
  await expect(page.getByRole("list", { name: /found in photo\.jpg/ }).getByRole("listitem")).toHaveCount(count);
  await expect(page.locator(".drawn-box")).toHaveCount(count);
  await checkScreen(page, "25-detect-try");
});
