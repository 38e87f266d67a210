// The offline app on every page: registers the service worker and starts the outbox.
import * as outbox from "/static/js/outbox.js";
import {
  enhanceForm,
  enhanceOutboxPage,
  enhanceSignOut,
  isSignedOutPage,
  refreshBadge,
  sendNow,
  showReceipts,
  tellWorker,
} from "/static/js/outbox-ui.js";

// -- service worker ---------------------------------------------------------------------
async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch {
    // Still works online without it.
  }
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "flush-outbox") sendNow();
  });
}

async function askForBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker.ready;
    await registration.sync?.register("learnloop-outbox");
  } catch {
    // Not supported here: online, load and visibility events still send.
  }
}

// -- start -------------------------------------------------------------------------------
async function start() {
  registerServiceWorker(); // in parallel: the page never waits for the worker
  const me = document.querySelector('meta[name="learnloop-user"]')?.content;
  if (me) await outbox.rememberUser(me); // so pages kept offline know whose the outbox is
  if (isSignedOutPage()) tellWorker({ type: "signed-out" }); // e.g. the sign-in page
  for (const form of document.querySelectorAll("form[data-outbox]")) enhanceForm(form);
  const page = document.querySelector("[data-outbox-page]");
  if (page) enhanceOutboxPage(page);
  for (const form of document.querySelectorAll("form.sign-out")) enhanceSignOut(form);

  window.addEventListener("outbox:changed", refreshBadge);
  window.addEventListener("outbox:sent", showReceipts);
  showReceipts();
  window.addEventListener("online", sendNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sendNow();
  });
  window.addEventListener("offline", askForBackgroundSync);
  navigator.storage?.persist?.().catch(() => {});
  await refreshBadge();
  const summary = await sendNow();
  if (summary.offlineUrls.length) tellWorker({ type: "keep-for-offline", urls: summary.offlineUrls });
}

start();
