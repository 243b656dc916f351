// What must not get through the browser: a hostile archive (the service's message is shown,
// nothing is stored), a file that is not a zip, and one user's project opened by another.
import { checkScreen, createProject, expect, makeZip, signUp, test } from "./support";

const JPEG = Buffer.from("ffd8ffe000104a46494600010100000100010000ffd9", "hex");

test("a zip that climbs out of its folder is refused with the service's reason, and nothing is stored", async ({ page }) => {
  await signUp(page);
  await createProject(page, "Hostile");
  const project = page.url();
  await page.getByRole("link", { name: "Upload a dataset" }).click();

  // not a zip at all: refused before anything is sent
  await page.getByLabel("Zip file with your images").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
  await expect(page.getByText("notes.txt is not a zip file.", { exact: false })).toBeVisible();

  const hostile = makeZip([
    { name: "cats/a.jpg", data: JPEG },
    { name: "../evil.jpg", data: JPEG },
  ]);
  await page.getByLabel("Zip file with your images").setInputFiles({ name: "evil.zip", mimeType: "application/zip", buffer: hostile });
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("evil.zip was not uploaded.");
  await expect(alert).toContainText("../evil.jpg");
  await checkScreen(page, "30-upload-refused");

  await page.goto(project);
  await expect(page.getByText("No dataset yet. Upload a zip of images to start.")).toBeVisible();
});

test("another user cannot open a project by its address", async ({ page, browser }) => {
  await signUp(page);
  await createProject(page, "Private plans");
  const project = page.url();

  const other = await browser.newContext();
  const stranger = await other.newPage();
  await signUp(stranger);
  await expect(stranger.getByText("Private plans")).toHaveCount(0);
  await stranger.goto(project);
  await expect(stranger.getByText(/project \S+ not found/)).toBeVisible();
  await expect(stranger.getByText("Private plans")).toHaveCount(0);
  await checkScreen(stranger, "31-other-users-project");
  await other.close();
});
