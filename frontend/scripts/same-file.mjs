// `node scripts/same-file.mjs COMMITTED FRESH`: fail when the committed generated file differs
// from a fresh generation (the API client is stale: run `npm run gen:api`).
import { readFileSync, rmSync } from "node:fs";

const [committed, fresh] = process.argv.slice(2);
const same = readFileSync(committed, "utf8") === readFileSync(fresh, "utf8");
rmSync(fresh);
if (!same) {
  console.error(
    `${committed} is stale: regenerate it with \`python -m backend.cli openapi frontend/openapi.json\` ` +
      "and `npm run gen:api` (in frontend/)",
  );
  process.exit(1);
}
console.log(`${committed} matches openapi.json`);
