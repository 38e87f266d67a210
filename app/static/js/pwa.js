// The offline app on every page: registers the service worker, keeps the person's pages for
// offline use, and starts the outbox (outbox-ui.js and IndexedDB, most of this app's script)
// only when the page needs it, so a first visit stays light on a cheap phone.
//
// The outbox starts at once on the unsent-items page, when fixing a saved draft, and whenever
// the device holds something to send or a receipt code to show, or does not know this person
// yet (outbox-ui.js keeps that note in localStorage). A form that saves offline gets its
// client_id here and brings the outbox in as soon as someone starts on it (from the service
// worker's cache, offline too); sent offline before that, it waits for the outbox.
const OUTBOX_UI = "/static/js/outbox-ui.js";
const HINT = "learnloop-outbox"; // {user, waiting}, written by outbox-ui.js
const me = document.querySelector('meta[name="learnloop-user"]')?.content || "";

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

async function tellWorker(message) {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  registration?.active?.postMessage(message);
}

/** A page the server rendered for nobody signed in (the sign-in page, say). Offline shells
 * (the offline and unsent-items pages) have neither a person nor htmx's CSRF header. */
function isSignedOutPage() {
  return !me && document.body.hasAttribute("hx-headers");
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

/** Ask the worker to fetch the pages this person keeps offline (the outbox does it when it
 * starts, with the same answer from the server). */
async function keepPagesForOffline() {
  try {
    const response = await fetch("/api/v1/session", {
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (response.status !== 200) return;
    const urls = (await response.json()).offline_urls || [];
    if (urls.length) tellWorker({ type: "keep-for-offline", urls });
  } catch {
    // Offline: the next page load asks again.
  }
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
  form.addEventListener("submit", async (event) => {
    if ("outboxReady" in form.dataset) return; // the outbox's own handler has it
    if (navigator.onLine && !("outboxAlways" in form.dataset)) return; // posts as without JS
    event.preventDefault();
    try {
      await startOutbox();
      form.requestSubmit(event.submitter || undefined); // through the outbox now
    } catch {
      form.submit(); // no outbox to be had: send it as a page without JavaScript would
    }
  });
}

function watchSignOut(form) {
  form.addEventListener("submit", async (event) => {
    if ("outboxReady" in form.dataset) return; // the outbox warns about anything unsent
    if (!somethingWaiting()) {
      tellWorker({ type: "signed-out" });
      return;
    }
    event.preventDefault();
    try {
      await startOutbox();
      form.requestSubmit(event.submitter || undefined);
    } catch {
      form.submit();
    }
  });
}

// -- start -------------------------------------------------------------------------------
/** Note who is signed in for pages that cannot tell (see outbox.js `currentUserId`). */
function noteSignedIn() {
  try {
    localStorage.setItem("learnloop-user", me);
  } catch {
    // No storage here: the outbox keeps it when it starts.
  }
}

function start() {
  const quietly = () => startOutbox().catch(() => {}); // a failed start is tried again later
  if (me) noteSignedIn();
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
