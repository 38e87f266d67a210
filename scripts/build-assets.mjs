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

// The static files the pages that open offline need, and nothing else: a new phone downloads
// all of it while the worker installs. The pages are /offline, /outbox and the offline copies
// of app/pwa/offline.py's OFFLINE_COPY_ENDPOINTS (the report, reflection and observation forms
// and the library); each loads the base template's scripts, the outbox (outbox-ui.js, outbox.js,
// idb) and its own script. tests/functional/test_pwa_files.py checks that every file those
// pages load is here. Left out on purpose: the PNG icons (the browser fetches the manifest's
// icons itself when someone adds the app to a home screen, and notifications fetch theirs when
// they are shown, online), the SVG they are drawn from, print.css (read by the evidence pack on
// the server), and the scripts only pages that never open offline load (the signed-in menu's
// among them: offline copies are rendered for nobody, with no menu).
const PRECACHED = [
  "css/app.css",
  "icons/icon.svg",
  "icons/bell.svg",
  "js/pwa.js",
  "js/kept-typing.js",
  "js/outbox-ui.js",
  "js/outbox.js",
  "js/char-count.js",
  "js/unsaved.js",
  "js/observation.js",
  "vendor/htmx.min.js",
  "vendor/idb/**/*.js",
];

const swDest = join(vendor, "sw.js");
const { count, size, warnings } = await injectManifest({
  swSrc: join(root, "scripts", "sw.js"),
  swDest,
  globDirectory: staticDir,
  globPatterns: PRECACHED,
  modifyURLPrefix: { "": "/static/" },
  additionalManifestEntries: pages,
  maximumFileSizeToCacheInBytes: 1024 * 1024,
});
for (const warning of warnings) console.warn(warning);
writeFileSync(swDest, readFileSync(swDest, "utf8").replaceAll("__WORKBOX_DIR__", workboxDir));
console.log(`Service worker: ${count} precached file(s), ${Math.round(size / 1024)} kB (${workboxDir})`);
