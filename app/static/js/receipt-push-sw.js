// A service worker of its own for one receipt code's notifications.
//
// Each code the reporter asks to hear about gets its own registration (scope
// /static/js/receipt-push/<random id>/, a path no page has), so its push subscription has an
// endpoint of its own: never the endpoint of the person's own notifications, nor of another
// code's, and so the server cannot join an anonymous report to a person or to another report
// by endpoint (docs/security.md). It only shows notifications; it caches nothing.
importScripts("/static/js/push-handlers.js");

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
