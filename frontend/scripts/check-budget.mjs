// The first load's weight: every JS and CSS file index.html loads before the app can run
// (its entry script, module preloads and stylesheets), gzipped. Lazy chunks (screens,
// charts, code highlighting) load later and do not count. Fails above the budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 300 * 1000; // bytes, gzipped
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let total = 0;
for (const file of new Set(files)) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += size;
  console.log(`${(size / 1000).toFixed(1).padStart(7)} kB  ${file}`);
}
console.log(`${(total / 1000).toFixed(1).padStart(7)} kB  first load, gzipped (budget ${BUDGET / 1000} kB)`);
if (total > BUDGET) {
  console.error("over the first-load budget: lazy-load what the first screen does not need");
  process.exit(1);
}
