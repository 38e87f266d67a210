// Push and notification-click handlers, shared by the site's service worker (scripts/sw.js)
// and the receipt codes' own small workers (receipt-push-sw.js), loaded with importScripts.
//
// A push says only "LearnLoop: something new for you" and the path to open
// (app/notifications/push.py): nothing about anyone shows on a lock screen. Tapping it opens
// the path on this site, or focuses a window already showing it.
const PUSH_TITLE = "LearnLoop";
const PUSH_BODY = "Something new for you";

/** Only a path on this site: never another origin, whatever a payload says. */
function pathFrom(data) {
  const path = data && typeof data.path === "string" ? data.path : "/";
  return path.startsWith("/") && !path.startsWith("//") && !path.includes("\\") ? path : "/";
}

self.addEventListener("push", (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(
    self.registration.showNotification(PUSH_TITLE, {
      body: PUSH_BODY,
      icon: "/static/icons/icon-192.png",
      badge: "/static/icons/icon-192.png",
      tag: "learnloop",
      data: { path: pathFrom(data) },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(pathFrom(event.notification.data), self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => client.url === url && "focus" in client);
      if (open) return open.focus();
      return self.clients.openWindow(url);
    })(),
  );
});
