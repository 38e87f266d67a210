// The offline app on every page: registers the service worker, keeps the person's pages for
// offline use, and starts the outbox (outbox-ui.js and IndexedDB, most of this app's script)
// only when the page needs it (`outboxNeededNow`), so a first visit stays light on a cheap
// phone. Until then, a form that saves offline gets its client_id here and brings the outbox
// in once someone starts on it. The outbox modules import what they share from this module.
const OUTBOX_UI = "/static/js/outbox-ui.js";
const HINT = "learnloop-outbox"; // {user, waiting}, written by outbox-ui.js
export const LAST_USER = "learnloop-user"; // for pages that cannot tell: see `currentUserId`

/** The id of the person this page is for, or "" (signed out, or an offline shell). */
export const me = document.querySelector('meta[name="learnloop-user"]')?.content || "";

/** A page the server rendered for nobody signed in (the sign-in page, say). Offline shells
 * (the offline and unsent-items pages) have neither a person nor htmx's CSRF header. */
export function isSignedOutPage() {
  return !me && document.body.hasAttribute("hx-headers");
}

export async function tellWorker(message) {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  registration?.active?.postMessage(message);
}

/** Who is signed in: the server's answer with `status: 200`, or the status alone (0: offline). */
export async function askSession() {
  try {
    const response = await fetch("/api/v1/session", {
      redirect: "manual",
      headers: { Accept: "application/json" },
      cache: "no-store",
      signal: AbortSignal.timeout(10000), // a connection that hangs counts as offline
    });
    if (response.status !== 200) return { status: response.status || 401 };
    return { ...(await response.json()), status: 200 };
  } catch {
    return { status: 0 };
  }
}

export function noteUser(userId) {
  try {
    localStorage.setItem(LAST_USER, userId);
  } catch {
    // No storage here: outbox.js keeps it in IndexedDB.
  }
}

let outboxStarting = null;
let outboxStarted = false;

/** Load and start the outbox on this page, once. Resolves when its forms are ready. */
function startOutbox() {
  outboxStarting ||= import(OUTBOX_UI).then(
    async (ui) => {
      await ui.start();
      outboxStarted = true;
      return ui;
    },
    (error) => {
      outboxStarting = null; // offline before the service worker had it: try again later
      throw error;
    },
  );
  return outboxStarting;
}

/** What outbox-ui.js last counted on this device, or null when it never did (or cannot). */
function hint() {
  try {
    return JSON.parse(localStorage.getItem(HINT));
  } catch {
    return null;
  }
}

function somethingWaiting() {
  const known = hint();
  return !known || known.waiting > 0;
}

function outboxNeededNow() {
  if (document.querySelector("[data-outbox-page]")) return true; // the unsent-items page
  if (new URLSearchParams(location.search).has("draft")) return true; // fixing a saved draft
  const known = hint();
  if (!me) return (known?.waiting ?? 0) > 0; // sign-in and offline pages: only to send or warn
  return !known || known.user !== me || known.waiting > 0; // new here, or something to do
}

// -- service worker ---------------------------------------------------------------------
async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  if (document.readyState !== "complete") {
    // After the page's own files: the worker's install then never competes with them on a
    // slow connection, and finds them in the browser's cache to revalidate (scripts/sw.js).
    await new Promise((loaded) => window.addEventListener("load", loaded, { once: true }));
  }
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch {
    // Still works online without it.
  }
  navigator.serviceWorker.addEventListener("message", async (event) => {
    if (event.data?.type !== "flush-outbox" || !(outboxStarted || somethingWaiting())) return;
    try {
      (await startOutbox()).sendNow();
    } catch {
      // The next page load or `online` event sends instead.
    }
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

/** Ask the worker to keep this person's pages for offline use (as the outbox does, when it
 * starts). */
async function keepPagesForOffline() {
  const urls = (await askSession()).offline_urls || []; // offline: the next page asks again
  if (urls.length) tellWorker({ type: "keep-for-offline", urls });
}

// -- forms that save offline, before the outbox has started ------------------------------
function watchForm(form) {
  const hidden = form.querySelector('input[name="client_id"]');
  if (hidden && !hidden.value) hidden.value = crypto.randomUUID(); // one record per draft
  // Starting means a tap, a key or a change in the form. Not focus: the first field takes
  // focus by itself (autofocus), sometimes after this script has run.
  for (const type of ["pointerdown", "keydown", "input"]) {
    form.addEventListener(type, () => startOutbox().catch(() => {}), { once: true });
  }
  form.addEventListener("submit", (event) => {
    if ("outboxReady" in form.dataset) return; // the outbox's own handler has it
    if (navigator.onLine && !("outboxAlways" in form.dataset)) return; // posts as without JS
    submitThroughOutbox(form, event);
  });
}

function watchSignOut(form) {
  form.addEventListener("submit", (event) => {
    if ("outboxReady" in form.dataset) return; // the outbox warns about anything unsent
    if (somethingWaiting()) submitThroughOutbox(form, event);
    else tellWorker({ type: "signed-out" });
  });
}

/** Hold the submit back until the outbox has started, then let it handle it. */
async function submitThroughOutbox(form, event) {
  event.preventDefault();
  try {
    await startOutbox();
    form.requestSubmit(event.submitter || undefined);
  } catch {
    form.submit(); // no outbox to be had: send it as a page without JavaScript would
  }
}

// -- start -------------------------------------------------------------------------------
function start() {
  const quietly = () => startOutbox().catch(() => {}); // a failed start is tried again later
  if (me) noteUser(me);
  registerServiceWorker(); // in parallel: the page never waits for the worker
  window.addEventListener("offline", askForBackgroundSync);
  if (isSignedOutPage()) tellWorker({ type: "signed-out" });
  if (outboxNeededNow()) {
    quietly();
    return;
  }
  for (const form of document.querySelectorAll("form[data-outbox]")) watchForm(form);
  for (const form of document.querySelectorAll("form.sign-out")) watchSignOut(form);
  // Something saved on this page (or in another tab) starts the outbox here too.
  window.addEventListener("outbox:changed", quietly, { once: true });
  window.addEventListener("storage", (event) => {
    if (event.key === HINT && somethingWaiting()) quietly();
  });
  if (me) keepPagesForOffline();
}

start();
