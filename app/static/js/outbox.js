// The outbox: forms saved on this device until they reach the server.
//
// Every entry has the draft's client_id (made when the draft began), the person it belongs
// to, the API endpoint and the body. It is sent only under that person's sign-in, with a
// fresh CSRF token, and `redirect: "manual"` so a sign-in redirect is never taken for
// success. Only a 2xx answer removes it: 401 keeps it and asks to sign in, 400 keeps it
// with what to fix, anything else (offline, server trouble) keeps it for the next try.
import { openDB } from "/static/vendor/idb/index.js";

const DB_NAME = "learnloop-outbox";
const STORE = "entries";
const META = "meta";
export const SESSION_URL = "/api/v1/session";

export const State = Object.freeze({
  WAITING: "waiting", // not sent yet: offline, or the server did not answer
  SIGN_IN: "sign-in", // the sign-in ended: sign in again and it sends
  FIX: "fix", // the server listed answers to check
  CONFLICT: "conflict", // this draft was already sent with different answers
  REFUSED: "refused", // this sign-in may not send it
});

let dbPromise;
function db() {
  dbPromise ||= openDB(DB_NAME, 1, {
    upgrade(database) {
      const entries = database.createObjectStore(STORE, { keyPath: "clientId" });
      entries.createIndex("byUser", "userId");
      database.createObjectStore(META);
    },
  });
  return dbPromise;
}

export function newClientId() {
  return crypto.randomUUID();
}

// Also in localStorage, where pwa.js notes it on every signed-in page without loading this
// module: a page that does not know who is signed in (an offline shell) then finds them
// even when the outbox never started on the pages before it.
const LAST_USER = "learnloop-user";

function lastUserNoted() {
  try {
    return localStorage.getItem(LAST_USER);
  } catch {
    return null;
  }
}

/** The signed-in person's id as this page knows it, or the last one the server confirmed. */
export async function currentUserId() {
  const meta = document.querySelector('meta[name="learnloop-user"]');
  if (meta?.content) return meta.content;
  return lastUserNoted() || ((await (await db()).get(META, "lastUser")) ?? null);
}

export async function rememberUser(userId) {
  try {
    localStorage.setItem(LAST_USER, userId);
  } catch {
    // No storage here: IndexedDB keeps it.
  }
  await (await db()).put(META, userId, "lastUser");
}

function changed() {
  window.dispatchEvent(new CustomEvent("outbox:changed"));
}

/** Keep a draft on this device. `body` holds the answers; client_id and device time are added. */
export async function save({ endpoint, body, label, clientId, userId, createdAt, formUrl }) {
  const entry = {
    clientId: clientId || newClientId(),
    formUrl: formUrl || location.pathname,
    userId: String(userId ?? (await currentUserId()) ?? ""),
    endpoint,
    body,
    label: label || "Saved form",
    createdAt: createdAt || new Date().toISOString(),
    state: State.WAITING,
    errors: {},
    message: "",
  };
  await (await db()).put(STORE, entry);
  changed();
  return entry;
}

export async function entriesFor(userId) {
  if (userId == null) return [];
  return (await db()).getAllFromIndex(STORE, "byUser", String(userId));
}

export async function allEntries() {
  return (await db()).getAll(STORE);
}

export async function count(userId) {
  if (!userId) return 0;
  return (await db()).countFromIndex(STORE, "byUser", String(userId));
}

/** Everything on this device, whoever it belongs to. */
export async function countAll() {
  return (await db()).count(STORE);
}

export async function get(clientId) {
  return (await db()).get(STORE, clientId);
}

export async function discard(clientId) {
  await (await db()).delete(STORE, clientId);
  changed();
}

async function update(entry, changes) {
  const stored = await (await db()).get(STORE, entry.clientId);
  if (!stored) return;
  await (await db()).put(STORE, { ...stored, ...changes, triedAt: new Date().toISOString() });
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

/** Ask the server who is signed in. Returns {status, user, csrf, offlineUrls}. */
export async function session() {
  try {
    const response = await fetch(SESSION_URL, {
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json" },
      cache: "no-store",
      signal: AbortSignal.timeout(10000), // a connection that hangs counts as offline
    });
    if (response.status !== 200) return { status: response.status || 401 };
    const body = await readJson(response);
    await rememberUser(String(body.user.id));
    return {
      status: 200,
      user: body.user,
      csrf: body.csrf_token,
      offlineUrls: body.offline_urls || [],
    };
  } catch {
    return { status: 0 }; // offline
  }
}

function post(entry, csrf) {
  return fetch(entry.endpoint, {
    method: "POST",
    credentials: "same-origin",
    redirect: "manual",
    cache: "no-store",
    signal: AbortSignal.timeout(20000),
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify({ ...entry.body, client_id: entry.clientId, device_time: entry.createdAt }),
  });
}

// -- receipt codes of anonymous reports sent from the outbox --------------------------------
// The server shows a receipt code once, in its answer to the first send. A report sent later
// by itself may reach the server while nobody looks, so the code is kept on this device, under
// the person who wrote it, until they say they have written it down. `code: null` means the
// report arrived but its first answer was lost on the way (the retry cannot bring the code back).
function receiptKey(userId) {
  return `receipts:${userId}`;
}

export async function receiptsFor(userId) {
  if (!userId) return [];
  return (await (await db()).get(META, receiptKey(userId))) || [];
}

async function keepReceipt(userId, receipt) {
  const kept = await receiptsFor(userId);
  if (kept.some((r) => r.clientId === receipt.clientId)) return;
  await (await db()).put(META, [...kept, receipt], receiptKey(userId));
}

export async function forgetReceipt(userId, clientId) {
  const kept = (await receiptsFor(userId)).filter((r) => r.clientId !== clientId);
  await (await db()).put(META, kept, receiptKey(userId));
}

let flushing = null;

/** Send what is waiting for the signed-in person. Resolves to a summary of what happened. */
export function flush({ signedOut = false } = {}) {
  flushing ||= withLock(() => sendAll(signedOut)).finally(() => {
    flushing = null;
  });
  return flushing;
}

function withLock(work) {
  // One tab at a time sends (the server would refuse doubles anyway).
  if (navigator.locks) return navigator.locks.request("learnloop-outbox", work);
  return work();
}

// Drafts go a few at a time: the server answers several requests at once, and after a long
// shift offline one at a time would keep a care worker's phone busy for many seconds.
const PARALLEL_SENDS = 4;

async function sendAll(signedOut) {
  const summary = { sent: [], kept: 0, signIn: false, offline: false, offlineUrls: [] };
  if (!navigator.onLine) {
    summary.offline = true;
    return summary;
  }
  const lastUser = await currentUserId();
  // A page rendered for nobody signed in needs no question to the server.
  const who = signedOut ? { status: 401 } : await session();
  if (who.status === 0) {
    summary.offline = true;
    return summary;
  }
  if (who.status !== 200) {
    // Signed out: keep everything of the last person, and ask them to sign in.
    for (const entry of await entriesFor(lastUser)) await update(entry, { state: State.SIGN_IN });
    summary.signIn = (await count(lastUser)) > 0;
    changed();
    return summary;
  }
  summary.offlineUrls = who.offlineUrls;
  // Saved when no page on this device knew who was signed in: the first person whose sign-in
  // the server confirms after that is the one who wrote it.
  for (const entry of await entriesFor("")) await update(entry, { userId: String(who.user.id) });
  // Only this person's entries: never send someone else's under this sign-in.
  const sendable = new Set([State.WAITING, State.SIGN_IN]);
  const queue = (await entriesFor(who.user.id)).filter((entry) => sendable.has(entry.state));
  const run = { csrf: who.csrf, stop: false, receipts: Promise.resolve() };
  const sender = async () => {
    while (!run.stop && queue.length) await sendOne(queue.shift(), run, summary);
  };
  await Promise.all(Array.from({ length: PARALLEL_SENDS }, sender));
  changed();
  if (summary.sent.length) {
    window.dispatchEvent(new CustomEvent("outbox:sent", { detail: summary.sent }));
  }
  return summary;
}

/** Send one draft; sets `run.stop` when the rest should wait (offline, signed out, server trouble). */
async function sendOne(entry, run, summary) {
  let response;
  try {
    response = await post(entry, run.csrf);
    if (response.status === 403) {
      const again = await session(); // a stale CSRF token: one retry with a fresh one
      if (again.status === 200) {
        run.csrf = again.csrf;
        response = await post(entry, run.csrf);
      }
    }
  } catch {
    summary.offline = true;
    run.stop = true; // the connection dropped: keep the rest for the next try
    return;
  }
  const body = await readJson(response);
  if (response.status >= 200 && response.status < 300) {
    if (body.anonymous) {
      const receipt = {
        clientId: entry.clientId,
        code: body.receipt_code || null,
        sentAt: new Date().toISOString(),
      };
      // The receipts are one list read and written whole: one writer at a time.
      run.receipts = run.receipts.then(() => keepReceipt(entry.userId, receipt));
      await run.receipts;
    }
    await (await db()).delete(STORE, entry.clientId);
    summary.sent.push({ entry, record: body });
    return;
  }
  summary.kept += 1;
  if (response.status === 401 || response.type === "opaqueredirect") {
    await update(entry, { state: State.SIGN_IN });
    summary.signIn = true;
    run.stop = true;
  } else if (response.status === 400) {
    await update(entry, { state: State.FIX, errors: body.errors || {}, message: body.error || "" });
  } else if (response.status === 422) {
    await update(entry, { state: State.CONFLICT, message: body.error || "" });
  } else if (response.status === 403) {
    await update(entry, { state: State.REFUSED, message: body.error || "" });
  } else {
    await update(entry, { state: State.WAITING }); // server trouble: try again later
    run.stop = true;
  }
}
