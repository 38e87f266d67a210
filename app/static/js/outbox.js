// The outbox: forms saved on this device until they reach the server.
//
// Every entry has the draft's client_id (made when the draft began), the person who wrote it,
// the API endpoint and the body. It is sent only under that person's sign-in (and says so in
// `written_by`), with a fresh CSRF token, and `redirect: "manual"` so a sign-in redirect is
// never taken for success. Only a 2xx answer removes it. Each draft stands on its own:
// server trouble or a dropped connection makes that one wait (longer each time) while the
// others go; 401 keeps it and asks to sign in; 400 keeps it with the server's message and
// what to fix; 422 (its client_id was already used with other answers) keeps it to send as a
// new record or remove. Anonymous reports go alone, at a random time after anything else.
import { openDB } from "/static/vendor/idb/index.js";

// The page's own pwa.js: the URL base.html loads, so its code runs once.
import { askSession, LAST_USER, me as pageUser, noteUser } from "/static/js/pwa.js";

const DB_NAME = "learnloop-outbox";
const STORE = "entries";
const META = "meta";

export const State = Object.freeze({
  WAITING: "waiting", // not sent yet: offline, server trouble, or an anonymous draft's turn
  SIGN_IN: "sign-in", // the sign-in ended: sign in again and it sends
  FIX: "fix", // the server refused the answers (its message and fields say what to fix)
  CONFLICT: "conflict", // this draft was already sent with different answers
  REFUSED: "refused", // this sign-in may not send it
});

/** How long drafts wait, in milliseconds. A test may shorten them by setting
 * `globalThis.learnloopOutboxTiming` before the page's scripts run. */
export const timing = {
  anonymousDelay: [5000, 60000], // an anonymous draft goes alone, this long after the others
  retryFirst: 2000, // the first wait after server trouble; it doubles with each failure ...
  retryMost: 5 * 60 * 1000, // ... up to this
  ...globalThis.learnloopOutboxTiming,
};

/** A number in [0, 1) from the browser's cryptographic generator (the anonymous delay must
 * not be guessable from earlier ones). */
function randomFraction() {
  return crypto.getRandomValues(new Uint32Array(1))[0] / 2 ** 32;
}

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

// The receipt code of an anonymous report is made here, with the draft, in the server's own
// format (app/reports/services.py `new_receipt_code`), so that every resend carries the same
// code and the reporter can be shown it even when the server's answer is lost.
const RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const RECEIPT_LENGTH = 16;

export function newReceiptCode() {
  // Bytes from 248 up would make the first letters likelier than the rest: draw again.
  const fair = 256 - (256 % RECEIPT_ALPHABET.length);
  let code = "";
  while (code.length < RECEIPT_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(RECEIPT_LENGTH))) {
      if (byte >= fair || code.length === RECEIPT_LENGTH) continue;
      code += RECEIPT_ALPHABET[byte % RECEIPT_ALPHABET.length];
    }
  }
  return code.match(/.{4}/g).join("-");
}

/** A report to be sent without the writer's name. */
export function isAnonymous(entry) {
  return entry.body?.anonymous === true;
}

function lastUserNoted() {
  try {
    return localStorage.getItem(LAST_USER);
  } catch {
    return null;
  }
}

/** The signed-in person's id as this page knows it, or the last one the server confirmed
 * (noted in localStorage by every signed-in page, and kept here in IndexedDB too). */
export async function currentUserId() {
  if (pageUser) return pageUser;
  return lastUserNoted() || ((await (await db()).get(META, "lastUser")) ?? null);
}

export async function rememberUser(userId) {
  noteUser(userId);
  await (await db()).put(META, userId, "lastUser");
}

function changed() {
  window.dispatchEvent(new CustomEvent("outbox:changed"));
}

/** Keep a draft on this device. `body` holds the answers; client_id and device time are added
 * when it is sent. Saving it again (fixed, or edited offline) keeps its receipt code. */
export async function save({ endpoint, body, label, clientId, userId, createdAt, formUrl }) {
  const writer = String(userId ?? (await currentUserId()) ?? "");
  const before = clientId ? await get(clientId) : undefined;
  const someoneElses = before && before.userId !== writer; // never written over: a new draft
  const entry = {
    clientId: clientId && !someoneElses ? clientId : newClientId(),
    formUrl: formUrl || location.pathname,
    userId: writer,
    endpoint,
    body,
    label: label || "Saved form",
    createdAt: createdAt || new Date().toISOString(),
    state: State.WAITING,
    errors: {},
    message: "",
  };
  if (isAnonymous(entry)) {
    entry.receiptCode = (!someoneElses && before?.receiptCode) || newReceiptCode();
  }
  await (await db()).put(STORE, entry);
  changed();
  return entry;
}

/** After a 422 (this client_id was already used with other answers): the same answers as a new
 * draft with its own client_id (and receipt code), sent as a record of its own. */
export async function sendAsNew(clientId) {
  const old = await get(clientId);
  if (!old) return null;
  const { attempts, nextTryAt, sendAfter, ...rest } = old;
  const entry = { ...rest, clientId: newClientId(), state: State.WAITING, errors: {}, message: "" };
  if (old.receiptCode) entry.receiptCode = newReceiptCode();
  const transaction = (await db()).transaction(STORE, "readwrite");
  await Promise.all([
    transaction.store.put(entry),
    transaction.store.delete(clientId),
    transaction.done,
  ]);
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
  await (await db()).put(STORE, { ...stored, ...changes });
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

/** Ask the server who is signed in (pwa.js `askSession`) and remember them on this device. */
export async function session() {
  const who = await askSession();
  if (who.status !== 200) return who;
  try {
    await rememberUser(String(who.user.id));
  } catch {
    return { status: 0 }; // as if offline: the next try asks again
  }
  return who;
}

// The server refuses fields it does not know. Which of the fields below it takes is read from its
// own API document (once a page), so the outbox sends them as soon as the server takes them.
const API_DOCUMENT = "/api/v1/openapi.json";
let serverFields = null;

/** Resolves to a Map of endpoint to the Set of body fields the server takes there. */
function fieldsTheServerTakes() {
  serverFields ||= fetch(API_DOCUMENT, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    signal: AbortSignal.timeout(10000),
  })
    .then(async (response) => {
      if (!response.ok) throw new Error(`API document: ${response.status}`);
      const api = await response.json();
      const base = api.servers?.[0]?.url || "";
      const taken = new Map();
      for (const [path, operations] of Object.entries(api.paths || {})) {
        const ref = operations.post?.requestBody?.content?.["application/json"]?.schema?.$ref;
        const schema = api.components?.schemas?.[String(ref).split("/").pop()];
        taken.set(base + path, new Set(Object.keys(schema?.properties || {})));
      }
      return taken;
    })
    .catch((error) => {
      serverFields = null; // ask again on the next try
      throw error;
    });
  return serverFields;
}

/** What goes over the wire: the answers, the draft's id and clock, who wrote it, and an
 * anonymous report's receipt code. */
function wireBody(entry, taken = new Set()) {
  const body = { ...entry.body, client_id: entry.clientId, device_time: entry.createdAt };
  if (taken.has("written_by")) body.written_by = entry.userId;
  if (entry.receiptCode && taken.has("receipt_code")) body.receipt_code = entry.receiptCode;
  return body;
}

function post(entry, body, csrf) {
  return fetch(entry.endpoint, {
    method: "POST",
    credentials: "same-origin",
    redirect: "manual",
    cache: "no-store",
    signal: AbortSignal.timeout(20000),
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
  });
}

// -- receipt codes of anonymous reports sent from the outbox --------------------------------
// A report sent later by itself may reach the server while nobody looks, so its receipt code
// is kept on this device, under the person who wrote it, until they say they have noted it.
// `code: null` means a server that makes its own codes answered a resend, whose answer
// cannot bring the code back.
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
let flushAgain = null;

/** Send what is waiting for the signed-in person. Resolves to a summary of what happened.
 * `force` (the person asked, or the connection came back) sends drafts still waiting after
 * server trouble without waiting their time; anonymous drafts still keep theirs. Asked while
 * a send is under way, it sends again once that one ends (something new may have been saved). */
export function flush({ signedOut = false, force = false } = {}) {
  if (flushing) {
    flushAgain ||= flushing.then(() => {
      flushAgain = null;
      return flush({ signedOut, force });
    });
    return flushAgain;
  }
  flushing = withLock(() => sendAll(signedOut, force)).finally(() => {
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
const SENDABLE = new Set([State.WAITING, State.SIGN_IN]);

async function sendAll(signedOut, force) {
  const summary = { sent: [], kept: 0, signIn: false, offline: false, nextAt: null };
  summary.offlineUrls = [];
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
  summary.offlineUrls = who.offline_urls || [];
  const me = String(who.user.id);
  // Saved when no page on this device knew who was signed in: the first person whose sign-in
  // the server confirms after that is the one who wrote it.
  for (const entry of await entriesFor("")) await update(entry, { userId: me });
  // Only this person's entries: never send someone else's under this sign-in.
  const mine = (await entriesFor(me)).filter((entry) => SENDABLE.has(entry.state));
  if (mine.length) {
    const run = { csrf: who.csrf_token, stop: false, receipts: Promise.resolve() };
    try {
      run.taken = await fieldsTheServerTakes();
    } catch {
      summary.offline = true; // the API document did not come: send nothing yet
      return summary;
    }
    const due = (entry) => force || !entry.nextTryAt || Date.parse(entry.nextTryAt) <= Date.now();
    const named = mine.filter((entry) => !isAnonymous(entry) && due(entry));
    await sendTogether(named, run, summary);
    await sendOneAnonymous(mine.filter(isAnonymous), named.length > 0, due, run, summary);
  }
  summary.nextAt = await nextTry(me);
  changed();
  if (summary.sent.length) {
    window.dispatchEvent(new CustomEvent("outbox:sent", { detail: summary.sent }));
  }
  return summary;
}

async function sendTogether(entries, run, summary) {
  const queue = [...entries];
  const sender = async () => {
    while (!run.stop && queue.length) await sendOne(queue.shift(), run, summary);
  };
  await Promise.all(Array.from({ length: PARALLEL_SENDS }, sender));
}

/** Anonymous reports go one to a run, in a run that sent nothing else, each at its own random
 * time: their arrival at the server never pairs them with the writer's named ones. A draft
 * whose time has come while something else went is given a new time. */
async function sendOneAnonymous(anonymous, othersWent, due, run, summary) {
  let free = !othersWent;
  for (const entry of anonymous) {
    const at = Date.parse(entry.sendAfter);
    if (at > Date.now()) continue;
    if (free && at && due(entry) && !run.stop) {
      free = false;
      await sendOne(entry, run, summary);
      continue;
    }
    const [least, most] = timing.anonymousDelay;
    const wait = least + randomFraction() * (most - least);
    await update(entry, { sendAfter: new Date(Date.now() + wait).toISOString() });
  }
}

/** When the next of this person's waiting drafts is due (ms since 1970), or null. */
async function nextTry(userId) {
  const times = (await entriesFor(userId))
    .filter((entry) => SENDABLE.has(entry.state))
    .map((entry) => Math.max(Date.parse(entry.nextTryAt) || 0, Date.parse(entry.sendAfter) || 0))
    .filter((at) => at > 0);
  return times.length ? Math.min(...times) : null;
}

/** Server trouble or a dropped connection for this draft: it waits, twice as long each time up
 * to a ceiling, less a random part so phones that lost the server together do not return
 * together. */
async function retryLater(entry) {
  const attempts = (entry.attempts || 0) + 1;
  const ceiling = Math.min(timing.retryMost, timing.retryFirst * 2 ** (attempts - 1));
  const wait = ceiling / 2 + randomFraction() * (ceiling / 2);
  await update(entry, {
    state: State.WAITING,
    attempts,
    nextTryAt: new Date(Date.now() + wait).toISOString(),
  });
}

/** Send one draft; sets `run.stop` when the rest should wait (signed out, someone else). */
async function sendOne(entry, run, summary) {
  const body = wireBody(entry, run.taken.get(entry.endpoint));
  let response;
  try {
    response = await post(entry, body, run.csrf);
    if (response.status === 403) {
      const again = await session(); // a stale CSRF token: one retry with a fresh one
      if (again.status === 200) {
        run.csrf = again.csrf_token;
        response = await post(entry, body, run.csrf);
      }
    }
  } catch {
    summary.kept += 1;
    await retryLater(entry); // the connection dropped on this one: the others go on
    return;
  }
  const answer = await readJson(response);
  if (response.status >= 200 && response.status < 300) {
    if (answer.anonymous) {
      const receipt = {
        clientId: entry.clientId,
        code: answer.receipt_code || body.receipt_code || null,
        sentAt: new Date().toISOString(),
      };
      // The receipts are one list read and written whole: one writer at a time.
      run.receipts = run.receipts.then(() => keepReceipt(entry.userId, receipt));
      await run.receipts;
    }
    await (await db()).delete(STORE, entry.clientId);
    summary.sent.push({ entry, record: answer });
    return;
  }
  summary.kept += 1;
  await keepRefused(entry, response, answer, run, summary);
}

/** What a refused draft waits for, by the server's answer. */
async function keepRefused(entry, response, answer, run, summary) {
  const status = response.status;
  const message = answer.message || answer.error || "";
  if (status === 401 || response.type === "opaqueredirect") {
    await update(entry, { state: State.SIGN_IN });
    summary.signIn = true;
    run.stop = true;
  } else if (status === 409 && answer.error === "written_by_someone_else") {
    // Someone else signed in since this run began: it waits for the person who wrote it.
    await retryLater(entry);
    run.stop = true;
  } else if (status === 422) {
    await update(entry, { state: State.CONFLICT, message });
  } else if (status === 403) {
    await update(entry, { state: State.REFUSED, message });
  } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    await update(entry, { state: State.FIX, errors: answer.errors || {}, message });
  } else {
    await retryLater(entry); // server trouble (5xx), or asked to wait: try this one later
  }
}
