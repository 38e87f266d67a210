// LearnLoop's service worker. scripts/build-assets.mjs turns this into app/static/vendor/sw.js:
// workbox-build injects the revisioned precache list and the local Workbox folder's name.
// Served at /sw.js so it controls the whole site.
/* global workbox, importScripts */
importScripts("/static/vendor/__WORKBOX_DIR__/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "/static/vendor/__WORKBOX_DIR__/", debug: false });

const { precacheAndRoute, cleanupOutdatedCaches, matchPrecache } = workbox.precaching;
const { registerRoute, setCatchHandler, NavigationRoute } = workbox.routing;
const { NetworkFirst, NetworkOnly } = workbox.strategies;
const { ExpirationPlugin } = workbox.expiration;
const { clientsClaim } = workbox.core;

// Runtime caches. FORMS holds pages rendered for the signed-in person: cleared at sign-out.
const FORMS = "learnloop-forms";
const LIBRARY = "learnloop-library";
const FORM_PATHS = new Set(["/report", "/reflect", "/observe"]);
const OFFLINE_PAGE = "/offline";

self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();

// Static files, the offline page and the outbox page, each with a revision.
precacheAndRoute(self.__WB_MANIFEST);

// Keep only full, same-origin 200 pages: never a redirect to sign-in, never an error page.
const onlyGoodPages = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && response.type === "basic" && !response.redirected
      ? response
      : null,
};

const isLibrary = (url) => url.pathname === "/library" || url.pathname.startsWith("/library/");

function cacheFor(url) {
  if (url.origin !== self.location.origin) return null;
  if (FORM_PATHS.has(url.pathname)) return FORMS;
  if (isLibrary(url)) return LIBRARY;
  return null;
}

// The staff forms' shells: network first, the last copy when offline.
registerRoute(
  ({ request, url }) => request.mode === "navigate" && cacheFor(url) === FORMS,
  new NetworkFirst({ cacheName: FORMS, networkTimeoutSeconds: 6, plugins: [onlyGoodPages] }),
);

// Library pages: kept as they are visited, so they can be read on the bus.
registerRoute(
  ({ request, url }) => request.mode === "navigate" && cacheFor(url) === LIBRARY,
  new NetworkFirst({
    cacheName: LIBRARY,
    networkTimeoutSeconds: 6,
    plugins: [onlyGoodPages, new ExpirationPlugin({ maxEntries: 300 })],
  }),
);

// Every other page (personal pages, dashboards, supervision ...): network only, never stored.
registerRoute(new NavigationRoute(new NetworkOnly()));
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
    const url = new URL(href, self.location.origin);
    const cacheName = cacheFor(url);
    if (!cacheName) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
      if (await onlyGoodPages.cacheWillUpdate({ response })) {
        await (await caches.open(cacheName)).put(url.href, response);
      }
    } catch {
      // Offline: try again after the next sign-in or page load.
    }
  }
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "signed-out") {
    // Anything rendered for the person who signed out goes.
    event.waitUntil(caches.delete(FORMS));
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
