// What every browser test shares: the service's URL, a new user, an axe-core scan and a
// screenshot of every screen, the real datasets, and reading a downloaded zip.
import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { crc32, inflateRawSync } from "node:zlib";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const ARTIFACTS = resolve(import.meta.dirname, "..", "e2e-artifacts");
export const SHARED = process.env["KONSTRUKTOR_SHARED_DATASETS"] ?? join(ROOT, "..", "shared", "datasets");

export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(process.env["KONSTRUKTOR_E2E_URL"]);
  },
});
export { expect };

export function dataset(name: string): string {
  return join(SHARED, name);
}

const PHONE = { width: 390, height: 844 };

/** A screenshot of the screen (e2e-artifacts/NAME.png), the same at a phone's 390 px
 * (NAME-390.png) where nothing may stick out sideways, and an axe-core scan that must find
 * no serious or critical violation. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const desktop = page.viewportSize();
  await page.setViewportSize(PHONE);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.screenshot({ path: join(ARTIFACTS, `${name}-390.png`), fullPage: true });
  if (desktop) await page.setViewportSize(desktop);
  expect(wide, `${name} is ${wide} px wide at ${PHONE.width} px`).toBeLessThanOrEqual(PHONE.width);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
  const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    blocking.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`),
    `axe on ${name}`,
  ).toEqual([]);
}

let users = 0;

/** Sign up a new user through the page; lands on the projects screen. */
export async function signUp(page: Page): Promise<string> {
  users += 1;
  const email = `e2e-${Date.now()}-${users}@example.com`;
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();
  return email;
}

export async function createProject(page: Page, name: string): Promise<void> {
  await page.getByLabel("New project name").fill(name);
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

/** The names of the files in a zip (read from its central directory). */
export function zipNames(path: string): string[] {
  const data = readFileSync(path);
  let end = data.length - 22;
  while (end >= 0 && data.readUInt32LE(end) !== 0x06054b50) end -= 1;
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const nameLength = data.readUInt16LE(offset + 28);
    const extra = data.readUInt16LE(offset + 30);
    const comment = data.readUInt16LE(offset + 32);
    names.push(data.subarray(offset + 46, offset + 46 + nameLength).toString("utf8"));
    offset += 46 + nameLength + extra + comment;
  }
  return names;
}

/** One file of a zip (stored or deflated), for picking a test image out of a dataset. */
export function zipEntry(path: string, wanted: (name: string) => boolean): { name: string; data: Buffer } {
  const data = readFileSync(path);
  let offset = 0;
  while (data.readUInt32LE(offset) === 0x04034b50) {
    const method = data.readUInt16LE(offset + 8);
    const size = data.readUInt32LE(offset + 18);
    const nameLength = data.readUInt16LE(offset + 26);
    const extra = data.readUInt16LE(offset + 28);
    const name = data.subarray(offset + 30, offset + 30 + nameLength).toString("utf8");
    const start = offset + 30 + nameLength + extra;
    const body = data.subarray(start, start + size);
    if (wanted(name)) return { name, data: method === 8 ? inflateRawSync(body) : Buffer.from(body) };
    offset = start + size;
  }
  throw new Error(`no entry matching in ${path}`);
}

/** A zip of stored (uncompressed) files, written here so a test can make any archive. */
export function makeZip(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.data.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.data.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, file.data);
    centrals.push(central, name);
    offset += local.length + name.length + file.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A link in the screen's content by its name, not the stepper's link of the same name. */
export function contentLink(page: Page, name: string) {
  return page.getByRole("link", { name, exact: true }).filter({ hasNot: page.locator(".stepper-number") });
}
