// LearnLoop's service worker. scripts/build-assets.mjs turns this into app/static/vendor/sw.js:
// workbox-build injects the revisioned precache list and the local Workbox folder's name.
// Served at /sw.js so it controls the whole site.
//
// What it keeps (docs/security.md, "What the device keeps"):
// - the precache: static files, /offline and /outbox, which hold nothing about anyone;
// - offline copies of the staff forms and of library pages. It never keeps a page someone was
//   shown: it asks the server again with X-LearnLoop-Offline-Copy: 1, and the server renders a
//   copy with no name, token, report, reflection, staff list or outcome in it (app/security.py).
//   Copies are kept under the tag of the sign-in they were made for (the LearnLoop-Sign-In
//   header), and dropped as soon as a page arrives with another tag or none: someone else
//   signed in, or this sign-in ended (signed out, timed out, ended by an admin).
/* global workbox */
importScripts("/static/vendor/__WORKBOX_DIR__/workbox-sw.js");
// Push notifications and their clicks (app/static/js/push-handlers.js).
importScripts("/static/js/push-handlers.js");
workbox.setConfig({ modulePathPrefix: "/static/vendor/__WORKBOX_DIR__/", debug: false });

const { addPlugins, precacheAndRoute, cleanupOutdatedCaches, matchPrecache } = workbox.precaching;
const { registerRoute, setCatchHandler, NavigationRoute } = workbox.routing;
const { clientsClaim } = workbox.core;

// Runtime caches: "<prefix><sign-in tag>". Older names (before copies were person-free) go.
const FORMS = "learnloop-forms-";
const LIBRARY = "learnloop-library-";
const RETIRED = ["learnloop-forms", "learnloop-library"];
const LIBRARY_ENTRIES = 300;
const OFFLINE_PAGE = "/offline";
const COPY_HEADER = "X-LearnLoop-Offline-Copy";
const SIGN_IN_HEADER = "LearnLoop-Sign-In";

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
self.addEventListener("activate", (event) => {
  event.waitUntil(Promise.all(RETIRED.map((name) => caches.delete(name))));
});

// Static files, the offline page and the outbox page, each with a revision.
// Workbox asks for each with `cache: "reload"`, which skips the browser's HTTP cache: on a first
// visit every file the page had just loaded would come down a second time. Asking with
// `cache: "no-cache"` instead makes the browser revalidate what it holds (If-None-Match); the
// server answers 304 when the file is unchanged, so the copy is still the current one (what
// the revision promises) and only headers cross the network.
addPlugins([
  {
    requestWillFetch: async ({ request }) =>
      request.cache === "reload" ? new Request(request, { cache: "no-cache" }) : request,
  },
]);
precacheAndRoute(self.__WB_MANIFEST);

const isLibrary = (url) => url.pathname === "/library" || url.pathname.startsWith("/library/");

// The server decides which pages are kept (app/pwa/offline.py): library ones, or its forms.
function prefixFor(url) {
  if (url.origin !== self.location.origin) return null;
  return isLibrary(url) && !url.pathname.endsWith("/read") ? LIBRARY : FORMS;
}

const ours = (name) => name.startsWith(FORMS) || name.startsWith(LIBRARY);

/** Drop every offline copy not made for the sign-in `tag` (all of them when tag is null). */
async function keepOnlyCopiesFor(tag) {
  for (const name of await caches.keys()) {
    if (ours(name) && (!tag || !name.endsWith(`-${tag}`))) await caches.delete(name);
  }
}

/** The tag of the sign-in whose copies are kept, or null (there is at most one). */
async function currentTag() {
  const name = (await caches.keys()).find(ours);
  return name ? name.slice(name.lastIndexOf("-") + 1) : null;
}

/** Every page our server sends says whose sign-in it was made for: follow it. */
async function followSignIn(response) {
  if (!response || response.type !== "basic" || response.status >= 500) return;
  const tag = response.headers.get(SIGN_IN_HEADER);
  await keepOnlyCopiesFor(tag);
}

async function trimLibrary(cache) {
  const keys = await cache.keys();
  for (const request of keys.slice(0, Math.max(0, keys.length - LIBRARY_ENTRIES))) {
    await cache.delete(request);
  }
}

/** Fetch the person-free copy of `url` and keep it under the sign-in it was made for. */
async function keepCopy(url) {
  const prefix = prefixFor(url);
  if (!prefix) return;
  const response = await fetch(url.href, {
    credentials: "same-origin",
    redirect: "manual",
    headers: { [COPY_HEADER]: "1" },
    cache: "no-store",
  });
  const tag = response.headers.get(SIGN_IN_HEADER);
  const isCopy = response.headers.get(COPY_HEADER) === "1"; // the server made it about nobody
  if (response.status !== 200 || response.type !== "basic" || !tag || !isCopy) return;
  await keepOnlyCopiesFor(tag);
  const cache = await caches.open(prefix + tag);
  await cache.put(url.href, response);
  if (prefix === LIBRARY) await trimLibrary(cache);
}

async function cachedCopy(url) {
  const prefix = prefixFor(url);
  const tag = prefix && (await currentTag());
  if (!tag) return null;
  return (await caches.open(prefix + tag)).match(url.href);
}

// Every page: from the network. The response is never stored; offline, the person-free copy
// (forms, library) or the offline page.
registerRoute(
  new NavigationRoute(async ({ request, event }) => {
    const url = new URL(request.url);
    let response;
    try {
      response = await fetch(request);
    } catch {
      return (await cachedCopy(url)) || (await matchPrecache(OFFLINE_PAGE)) || Response.error();
    }
    event.waitUntil(
      followSignIn(response).then(async () => {
        // A library page read online is kept for reading offline too (its copy, not itself).
        if (prefixFor(url) === LIBRARY && response.ok && !(await cachedCopy(url))) {
          await keepCopy(url).catch(() => {});
        }
      }),
    );
    return response;
  }),
);
// API calls and POSTs match no route: the browser sends them straight to the network.

setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") {
    return (await matchPrecache(OFFLINE_PAGE)) || Response.error();
  }
  return Response.error();
});

// Fetch the pages a signed-in person should have offline (from GET /api/v1/session).
async function keepForOffline(urls) {
  for (const href of urls || []) {
    try {
      await keepCopy(new URL(href, self.location.origin));
    } catch {
      // Offline: try again after the next sign-in or page load.
    }
  }
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "signed-out") {
    // Nothing kept for a sign-in outlives it (the next page's tag would say so too).
    event.waitUntil(keepOnlyCopiesFor(null));
  } else if (message.type === "keep-for-offline") {
    event.waitUntil(keepForOffline(message.urls));
  }
});

// Background sync: ask the open pages to send the outbox (they hold the sign-in and CSRF token).
self.addEventListener("sync", (event) => {
  if (event.tag !== "learnloop-outbox") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then((windows) => {
      for (const client of windows) client.postMessage({ type: "flush-outbox" });
    }),
  );
});
