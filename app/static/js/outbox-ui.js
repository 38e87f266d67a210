// The outbox on the page: the "waiting to send" badge, forms that opt in with
// data-outbox="<API endpoint>", the unsent-items page and a careful sign-out.
import * as outbox from "/static/js/outbox.js";
// The page's own pwa.js: the URL base.html loads, so its code runs once.
import { isSignedOutPage, me, tellWorker } from "/static/js/pwa.js";

const SAVED = "Saved on this device. It will send by itself when you are back online.";
const SENT_ALONE =
  "Saved on this device. A report without your name is sent by itself a little later, so its " +
  "timing does not point to you. Its receipt code shows here once it has gone.";
const SERVER_TROUBLE =
  "Saved on this device. The server could not take it just now: it tries again by itself.";
const SIGN_IN = "Please sign in again to send what is saved on this device. Nothing has been lost.";

function say(region, text, kind = "info") {
  if (!region) return;
  region.replaceChildren();
  if (!text) return;
  const p = document.createElement("p");
  p.className = `flash flash--${kind}`;
  p.textContent = text;
  region.append(p);
}

// -- badge -------------------------------------------------------------------------------
export async function refreshBadge() {
  const userId = await outbox.currentUserId();
  const waiting = await outbox.count(userId);
  await noteForLaterPages(userId);
  const badge = document.querySelector("[data-outbox-badge]");
  if (!badge) return;
  badge.querySelector("[data-outbox-count]").textContent = String(waiting);
  badge.dataset.count = String(waiting);
  badge.hidden = waiting === 0;
}

/** Tell later pages (pwa.js) whether they need the outbox: how much is on this device to send
 * (anyone's) or to show (this person's receipt codes), and whom it last knew. */
async function noteForLaterPages(userId) {
  const waiting = (await outbox.countAll()) + (await outbox.receiptsFor(userId)).length;
  try {
    localStorage.setItem("learnloop-outbox", JSON.stringify({ user: userId || "", waiting }));
  } catch {
    // No storage here: every page starts the outbox, as if something waited.
  }
}

// -- sending -----------------------------------------------------------------------------
let retryDelay = 0;
let retryTimer = null;

/** Send what waits now. `force` also sends drafts still waiting their turn after server trouble
 * (the person asked, or the connection came back). */
export async function sendNow({ force = false } = {}) {
  const summary = await outbox.flush({ signedOut: isSignedOutPage(), force });
  if (summary.signIn) showSignInNeeded();
  await refreshBadge();
  clearTimeout(retryTimer);
  // The browser says it is online but the server could not be reached (it often cannot for a
  // moment when the signal comes back): try again a little later, longer each time, up to a
  // minute. Otherwise wake up when the next waiting draft is due.
  const waiting = await outbox.count(await outbox.currentUserId());
  if (summary.offline && navigator.onLine && waiting > 0) {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 60000);
    retryTimer = setTimeout(sendNow, retryDelay);
  } else {
    retryDelay = 0;
    const due = summary.nextAt && Math.max(summary.nextAt - Date.now(), 0) + 50;
    if (due) retryTimer = setTimeout(sendNow, due);
  }
  return summary;
}

export function showSignInNeeded() {
  for (const region of document.querySelectorAll("[data-outbox-status]")) {
    region.replaceChildren();
    const p = document.createElement("p");
    p.className = "flash flash--error";
    p.setAttribute("role", "alert");
    p.append(`${SIGN_IN} `);
    const link = document.createElement("a");
    link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    link.textContent = "Sign in";
    p.append(link);
    region.append(p);
  }
}

// -- forms that opt in -------------------------------------------------------------------
function answersOf(form) {
  const answers = {};
  for (const [name, value] of new FormData(form)) {
    if (name === "csrf_token" || name === "client_id" || typeof value !== "string") continue;
    if (name in answers) continue; // the first of repeated names, as the server reads it
    if (value.trim() === "") continue;
    const field = form.elements.namedItem(name);
    answers[name] = field?.type === "checkbox" ? true : value; // a ticked box is a yes
  }
  return answers;
}

function statusRegionFor(form) {
  let region = form.querySelector("[data-outbox-status]");
  if (!region) {
    region = document.createElement("div");
    region.setAttribute("data-outbox-status", "");
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    form.prepend(region);
  }
  return region;
}

function showFieldErrors(form, errors) {
  for (const old of form.querySelectorAll("[data-outbox-error]")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const [name, messages] of Object.entries(errors || {})) {
    const target = fieldFor(form, name);
    const error = document.createElement("p");
    error.className = "field__error";
    error.dataset.outboxError = "";
    error.textContent = messages.join(" ");
    if (!target?.id) {
      form.querySelector("[data-outbox-status]").append(error); // no field of its own
      continue;
    }
    error.id = `${target.id}-outbox-error`;
    target.setAttribute("aria-invalid", "true");
    target.setAttribute(
      "aria-describedby",
      `${target.getAttribute("aria-describedby") || ""} ${error.id}`.trim(),
    );
    if (target.tagName === "FIELDSET") target.querySelector("legend").after(error);
    else target.before(error);
  }
}

/** The field an error belongs beside: a group of choices is its fieldset. */
function fieldFor(form, name) {
  const input =
    form.elements.namedItem(name) ||
    form.elements.namedItem(name.replace(".", "_")) || // follow_up.<name> is follow_up_<name>
    (name === "actions" ? form.elements.namedItem("action_1") : null);
  if (input instanceof RadioNodeList || input?.type === "radio") {
    const first = input instanceof RadioNodeList ? input[0] : input;
    return first.closest("fieldset") || first;
  }
  return input;
}

function fillForm(form, answers) {
  for (const [name, value] of Object.entries(answers)) {
    const field = form.elements.namedItem(name);
    if (!field) continue;
    if (field instanceof RadioNodeList) {
      for (const option of field) option.checked = option.value === value;
    } else if (field.type === "checkbox") {
      field.checked = true;
    } else {
      field.value = value;
    }
  }
}

function sameAnswers(one, other) {
  const names = Object.keys(one);
  if (names.length !== Object.keys(other).length) return false;
  return names.every((name) => one[name] === other[name]);
}

export async function enhanceForm(form) {
  const endpoint = form.dataset.outbox;
  const region = statusRegionFor(form);
  const label = form.dataset.outboxLabel || document.title.split(" – ")[0];
  // A draft being fixed from the unsent-items page keeps its client_id.
  const draftId = new URLSearchParams(location.search).get("draft");
  const draft = draftId ? await outbox.get(draftId) : null;
  if (draft) {
    fillForm(form, draft.body);
    showFieldErrors(form, draft.errors);
  }
  // The draft's id is made when the draft begins (here, or by pwa.js as the page opened),
  // and kept through every retry.
  const hidden = form.querySelector('input[name="client_id"]');
  form.dataset.clientId = draft?.clientId || hidden?.value || outbox.newClientId();
  if (hidden) hidden.value = form.dataset.clientId;
  const createdAt = draft?.createdAt || new Date().toISOString();

  // Online, the form posts as it does without JavaScript (with the same client_id, so a
  // double tap is still one record). Offline, or when fixing a saved draft, or for a form
  // marked data-outbox-always, it goes through the outbox.
  const viaOutbox = () => !navigator.onLine || draft || "outboxAlways" in form.dataset;
  form.dataset.outboxReady = ""; // pwa.js stops standing in for the outbox
  // Sent later, in the background: say here too what became of it, once per answer.
  let shown = "";
  async function showRefusal() {
    const stored = await outbox.get(form.dataset.clientId);
    const answer = stored && `${stored.state}${stored.message}${stored.attempts}`;
    if (!stored || answer === shown) return Boolean(stored && shown);
    if (stored.state === outbox.State.FIX) {
      const message = stored.message || "Some answers need checking.";
      say(region, `${message} Nothing has been lost.`, "error");
      showFieldErrors(form, stored.errors);
    } else if (stored.state === outbox.State.CONFLICT) {
      say(region, `${stored.message} Your answers are kept: see what is waiting to send.`, "error");
    } else if (stored.attempts && navigator.onLine) {
      say(region, SERVER_TROUBLE);
    } else {
      return false;
    }
    shown = answer;
    return true;
  }
  window.addEventListener("outbox:changed", showRefusal);
  const savedHere = new Set();
  form.addEventListener("submit", async (event) => {
    if (!viaOutbox()) return;
    event.preventDefault();
    const answers = answersOf(form);
    // A reload brings back the last client_id the form had. If a draft saved on an earlier
    // page holds it with other answers, this is another report: never write over that draft.
    const earlier = draft ? null : await outbox.get(form.dataset.clientId);
    if (earlier && !savedHere.has(earlier.clientId) && !sameAnswers(earlier.body, answers)) {
      form.dataset.clientId = outbox.newClientId();
      if (hidden) hidden.value = form.dataset.clientId;
    }
    savedHere.add(form.dataset.clientId);
    const entry = await outbox.save({
      endpoint,
      body: answers,
      label,
      clientId: form.dataset.clientId,
      createdAt,
      formUrl: location.pathname,
    });
    form.dataset.clientId = entry.clientId;
    if (hidden) hidden.value = entry.clientId;
    say(region, SAVED, "success");
    const summary = await sendNow();
    const sent = summary.sent.find((item) => item.entry.clientId === entry.clientId);
    if (sent) {
      form.reset();
      showFieldErrors(form, {});
      form.dataset.clientId = outbox.newClientId();
      if (hidden) hidden.value = form.dataset.clientId;
      say(region, "Thank you, it is sent.", "success"); // a receipt code shows in its own box
      return;
    }
    shown = "";
    const stored = await outbox.get(entry.clientId);
    if (stored?.state === outbox.State.SIGN_IN) showSignInNeeded();
    else if ((await showRefusal()) || !stored || !navigator.onLine || summary.offline) return;
    else if (outbox.isAnonymous(stored)) say(region, SENT_ALONE, "success");
  });
}

// -- the unsent-items page ---------------------------------------------------------------
const STATE_TEXT = {
  waiting: "Waiting for a connection.",
  "sign-in": "Waiting for you to sign in again.",
  fix: "The server could not take it as it is. Check the answers, then it sends again.",
  conflict:
    "Something was already sent from this draft with different answers. These answers are " +
    "kept here: send them as a new one, or remove them from this device.",
  refused: "This sign-in cannot send it.",
};

function stateText(entry) {
  if (entry.state !== outbox.State.WAITING || !navigator.onLine) {
    return STATE_TEXT[entry.state] || "";
  }
  if (entry.attempts) {
    const at = new Date(entry.nextTryAt).toLocaleTimeString("en-GB", { timeStyle: "short" });
    return `The server could not take it just now. It tries again by itself (next at ${at}).`;
  }
  if (outbox.isAnonymous(entry)) {
    return "Sent by itself a little later, so its timing does not point to you.";
  }
  return STATE_TEXT.waiting;
}

// "Send as new" for the records whose drafts stand alone (an observation completes its draft).
const AS_NEW = {
  "/api/v1/reports": "Send as a new report",
  "/api/v1/reflections": "Send as a new reflection",
};

function button(text, kind, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `button ${kind}`;
  element.textContent = text;
  element.addEventListener("click", action);
  return element;
}

function outboxCard(entry) {
  const item = document.createElement("li");
  item.className = "card stack";
  item.dataset.outboxEntry = entry.state;
  const title = document.createElement("h2");
  title.className = "card__title";
  title.textContent = entry.label;
  const when = document.createElement("p");
  when.className = "muted";
  when.textContent = `Saved ${new Date(entry.createdAt).toLocaleString("en-GB")}`;
  const text = document.createElement("p");
  text.textContent = (entry.body.description || "").slice(0, 140);
  const state = document.createElement("p");
  state.textContent = stateText(entry);
  item.append(title, when, text, state);
  if (entry.message && entry.state !== outbox.State.WAITING) {
    const message = document.createElement("p");
    message.className = "field__error";
    message.dataset.outboxMessage = "";
    message.textContent = entry.message;
    item.append(message);
  }
  for (const [field, messages] of Object.entries(entry.errors || {})) {
    const error = document.createElement("p");
    error.className = "field__error";
    error.textContent = `${field.replaceAll("_", " ")}: ${messages.join(" ")}`;
    item.append(error);
  }
  const actions = document.createElement("p");
  actions.className = "outbox__actions";
  if (entry.state === outbox.State.FIX) {
    const fix = document.createElement("a");
    fix.className = "button button--primary";
    fix.href = `${entry.formUrl}?draft=${encodeURIComponent(entry.clientId)}`;
    fix.textContent = "Check the answers";
    actions.append(fix);
  }
  if (entry.state === outbox.State.CONFLICT && AS_NEW[entry.endpoint]) {
    actions.append(
      button(AS_NEW[entry.endpoint], "button--primary", async () => {
        await outbox.sendAsNew(entry.clientId);
        await sendNow();
      }),
    );
  }
  if ([outbox.State.FIX, outbox.State.CONFLICT, outbox.State.REFUSED].includes(entry.state)) {
    actions.append(
      button("Remove from this device", "button--danger", () => outbox.discard(entry.clientId)),
    );
  }
  if (actions.childElementCount) item.append(actions);
  return item;
}

async function renderOutboxPage(page) {
  const userId = await outbox.currentUserId();
  const mine = await outbox.entriesFor(userId);
  const list = page.querySelector("[data-outbox-list]");
  list.replaceChildren(
    ...mine.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(outboxCard),
  );
  list.hidden = mine.length === 0;
  page.querySelector("[data-outbox-empty]").hidden = mine.length !== 0;
  page.querySelector("[data-outbox-actions]").hidden = mine.length === 0;
  // Someone else's drafts: never shown, not even how many, only that they wait.
  const note = page.querySelector("[data-outbox-others]");
  note.hidden = (await outbox.countAll()) === mine.length;
  note.textContent =
    "Drafts from another person are waiting on this device. " +
    "They send when that person signs in here.";
}

export function enhanceOutboxPage(page) {
  const render = () => renderOutboxPage(page);
  window.addEventListener("outbox:changed", render);
  page.querySelector("[data-outbox-send]").addEventListener("click", async () => {
    const summary = await sendNow({ force: true });
    if (summary.offline) say(page.querySelector("[data-outbox-status]"), SAVED);
  });
  window.addEventListener("outbox:sent", (event) => {
    const text = `Sent ${event.detail.length} saved item${event.detail.length === 1 ? "" : "s"}.`;
    say(page.querySelector("[data-outbox-status]"), text, "success");
  });
  render();
}

// -- receipt codes of anonymous reports that were sent from the outbox ------------------
export async function showReceipts() {
  const userId = await outbox.currentUserId();
  const kept = await outbox.receiptsFor(userId);
  let box = document.querySelector("[data-outbox-receipts]");
  if (!kept.length) {
    box?.remove();
    return;
  }
  if (!box) {
    box = document.createElement("section");
    box.className = "card receipt stack";
    box.dataset.outboxReceipts = "";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-label", "Receipt codes");
    document.querySelector("main")?.prepend(box);
  }
  box.replaceChildren();
  for (const receipt of kept) box.append(receiptNotice(userId, receipt));
}

function receiptNotice(userId, receipt) {
  const notice = document.createElement("div");
  notice.className = "stack";
  const title = document.createElement("h2");
  title.className = "card__title";
  title.textContent = "Your report without your name has been sent";
  const text = document.createElement("p");
  if (receipt.code) {
    text.append("Your receipt code is ");
    const code = document.createElement("strong");
    code.className = "receipt__code";
    code.textContent = receipt.code;
    text.append(code, ". Write it down or take a screenshot: it stays here only until you " +
      "say you have it. Use it on Check an anonymous report to read the thanks and learning.");
  } else {
    text.textContent =
      "It reached us safely, but the connection dropped before its receipt code came back, so " +
      "we cannot show it. Any learning from it is shared with the whole team in bulletins.";
  }
  const done = document.createElement("button");
  done.type = "button";
  done.className = "button";
  done.textContent = receipt.code ? "I have noted it" : "OK";
  done.addEventListener("click", async () => {
    await outbox.forgetReceipt(userId, receipt.clientId);
    await showReceipts();
  });
  notice.append(title, text, done);
  return notice;
}

// -- starting on a page ------------------------------------------------------------------
/** Start the outbox on this page (pwa.js calls this when the page needs it). Resolves once
 * the page's forms save through the outbox; sending what waits goes on in the background. */
export async function start() {
  if (me) await outbox.rememberUser(me); // so offline shells know whose the outbox is
  await Promise.all([...document.querySelectorAll("form[data-outbox]")].map(enhanceForm));
  const page = document.querySelector("[data-outbox-page]");
  if (page) enhanceOutboxPage(page);
  for (const form of document.querySelectorAll("form.sign-out")) enhanceSignOut(form);

  window.addEventListener("outbox:changed", refreshBadge);
  window.addEventListener("outbox:sent", showReceipts);
  window.addEventListener("online", () => sendNow({ force: true }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sendNow();
  });
  navigator.storage?.persist?.().catch(() => {});
  sendWhatWaits();
}

async function sendWhatWaits() {
  showReceipts();
  await refreshBadge();
  const summary = await sendNow();
  if (summary.offlineUrls.length) tellWorker({ type: "keep-for-offline", urls: summary.offlineUrls });
}

// -- signing out -------------------------------------------------------------------------
export function enhanceSignOut(form) {
  form.dataset.outboxReady = "";
  const region = document.createElement("div");
  region.setAttribute("role", "alert");
  region.className = "sign-out__warning";
  form.after(region);
  form.addEventListener("submit", async (event) => {
    if (form.dataset.confirmed === "yes") {
      await tellWorker({ type: "signed-out" });
      return;
    }
    event.preventDefault();
    await sendNow();
    const waiting = await outbox.count(await outbox.currentUserId());
    if (waiting > 0) {
      form.dataset.confirmed = "yes";
      form.querySelector("button").textContent = "Sign out anyway";
      say(
        region,
        `${waiting} thing${waiting === 1 ? " is" : "s are"} still waiting to send. ` +
          "They stay on this device and send when you next sign in here.",
        "error",
      );
      return;
    }
    form.dataset.confirmed = "yes";
    await tellWorker({ type: "signed-out" });
    form.submit();
  });
}

