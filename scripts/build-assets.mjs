// Builds the front end from npm packages into app/static/vendor (built, never committed):
// htmx, idb (for the outbox), the Workbox runtime, and the service worker with its
// revisioned precache list. Run `npm ci && npm run build` (make does).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { copyWorkboxLibraries, injectManifest } from "workbox-build";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const staticDir = join(root, "app", "static");
const vendor = join(staticDir, "vendor");
const templates = join(root, "app", "templates");

const files = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["idb/build/index.js", "idb/index.js"],
];

mkdirSync(join(vendor, "idb"), { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(root, "node_modules", from), join(vendor, to));
}
console.log(`Copied ${files.length} front-end file(s) into app/static/vendor`);

// The Workbox runtime, served from our own origin (a fresh copy each build).
for (const entry of readdirSync(vendor)) {
  if (entry.startsWith("workbox-v")) rmSync(join(vendor, entry), { recursive: true, force: true });
}
const workboxDir = basename(await copyWorkboxLibraries(vendor));

// Pages rendered by Flask that the service worker precaches: their revision is a hash of the
// templates they are made from, so a change to any of them refreshes the copy on devices.
function revisionOf(paths) {
  const hash = createHash("sha256");
  for (const path of paths) hash.update(readFileSync(join(templates, path)));
  return hash.digest("hex").slice(0, 16);
}
const shellTemplates = ["base.html", "_macros.html"];
const manifestRevision = createHash("sha256")
  .update(readFileSync(join(root, "app", "pwa", "views.py")))
  .digest("hex")
  .slice(0, 16);
const pages = [
  { url: "/manifest.webmanifest", revision: manifestRevision },
  { url: "/offline", revision: revisionOf([...shellTemplates, "pwa/offline.html"]) },
  { url: "/outbox", revision: revisionOf([...shellTemplates, "pwa/outbox.html"]) },
];

const swDest = join(vendor, "sw.js");
const { count, size, warnings } = await injectManifest({
  swSrc: join(root, "scripts", "sw.js"),
  swDest,
  globDirectory: staticDir,
  globPatterns: [
    "css/**/*.css",
    "js/**/*.js",
    "icons/**/*.{svg,png}",
    "vendor/htmx.min.js",
    "vendor/idb/**/*.js",
  ],
  modifyURLPrefix: { "": "/static/" },
  additionalManifestEntries: pages,
  maximumFileSizeToCacheInBytes: 1024 * 1024,
});
for (const warning of warnings) console.warn(warning);
writeFileSync(swDest, readFileSync(swDest, "utf8").replaceAll("__WORKBOX_DIR__", workboxDir));
console.log(`Service worker: ${count} precached file(s), ${Math.round(size / 1024)} kB (${workboxDir})`);
