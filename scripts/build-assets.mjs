// Copies the front-end packages we use from node_modules into app/static/vendor.
// The vendor folder is built, never committed: run `npm ci && npm run build` (make does).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "app", "static", "vendor");

const files = [["htmx.org/dist/htmx.min.js", "htmx.min.js"]];

mkdirSync(vendor, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(root, "node_modules", from), join(vendor, to));
}
console.log(`Copied ${files.length} front-end file(s) into app/static/vendor`);
