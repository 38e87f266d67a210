// Keeps what someone typed in a form on this site for one page load, so a form refused for
// safety (a stale CSRF token: app/errors.py sends them back to the page with a message) can
// be filled in again here, in their own browser. The server never offers posted values
// back: a post from another site was never typed on our page, so nothing of it is kept.
//
// What is kept: the visible answers of the form that was sent, when it carries a CSRF token
// (never passwords, hidden fields such as the token itself, files or one-time codes), in
// sessionStorage (this tab only), under the form's action and the page's path. Nothing outlives the next page: every page
// load restores it (only on the refusal, on the same page, into the same form) and then
// forgets it, and signing out or any signed-out page empties this tab's sessionStorage.
const KEY = "learnloop-kept-typing";
const KEPT_MESSAGE = "We kept what you typed: check it and send again";
const NEVER_KEPT = new Set(["password", "hidden", "file", "submit", "button", "reset", "image"]);

function placeOf(form) {
  return `${new URL(form.action, location.href).pathname}|${location.pathname}${location.search}`;
}

/** An answer the person typed or chose, and not one we must never keep. */
function isKept(field) {
  if (!field.name || field.disabled || NEVER_KEPT.has(field.type)) return false;
  if (field.name === "csrf_token" || field.autocomplete === "one-time-code") return false;
  return !field.closest("[data-keep-typed='no']");
}

function answersOf(form) {
  const answers = [];
  for (const field of form.elements) {
    if (!isKept(field)) continue;
    if (field.type === "radio" || field.type === "checkbox") {
      if (field.checked) answers.push({ name: field.name, value: field.value, checked: true });
    } else if (field.tagName === "SELECT" && field.multiple) {
      for (const option of field.selectedOptions) {
        answers.push({ name: field.name, value: option.value, checked: true });
      }
    } else if (field.value) {
      answers.push({ name: field.name, value: field.value });
    }
  }
  return answers;
}

function keep(form) {
  if (form.method.toLowerCase() !== "post") return;
  // Only a form with a CSRF token can be refused for one (the receipt check has none, and
  // its code is never kept).
  if (!form.querySelector('input[name="csrf_token"]')) return;
  if (new URL(form.action, location.href).origin !== location.origin) return;
  const answers = answersOf(form);
  try {
    if (!answers.length) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, JSON.stringify({ place: placeOf(form), answers }));
  } catch {
    // No storage (private mode, full): nothing is kept, as without JavaScript.
  }
}

function take() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEY));
    sessionStorage.removeItem(KEY);
    return kept;
  } catch {
    return null;
  }
}

function forgetHere() {
  try {
    sessionStorage.clear();
  } catch {
    // Nothing could be stored either.
  }
}

// Signing out in one tab empties the others' too (sessionStorage is per tab).
const signOuts = "BroadcastChannel" in window ? new BroadcastChannel("learnloop-signed-out") : null;

function forget() {
  forgetHere();
  signOuts?.postMessage("signed-out");
}

/** Put one answer back; returns whether the field was there to take it. */
function putBack(form, answer) {
  const fields = [...form.elements].filter((f) => f.name === answer.name && isKept(f));
  if (!fields.length) return false;
  for (const field of fields) {
    if (answer.checked && (field.type === "radio" || field.type === "checkbox")) {
      if (field.value !== answer.value) continue;
      field.checked = true;
    } else if (answer.checked && field.tagName === "SELECT") {
      const option = [...field.options].find((o) => o.value === answer.value);
      if (option) option.selected = true;
    } else {
      field.value = answer.value;
    }
    field.closest("details")?.setAttribute("open", ""); // a choice behind "More" shows
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }
  return false;
}

function sayKept(form) {
  const note = document.createElement("p");
  note.className = "flash flash--success";
  note.setAttribute("role", "status");
  note.dataset.keptTyping = "";
  note.textContent = KEPT_MESSAGE;
  const refusal = document.querySelector("[data-csrf-refused]");
  (refusal || form).insertAdjacentElement(refusal ? "afterend" : "beforebegin", note);
}

/** After the refusal, fill the form it came from. Fields that arrive later (htmx follow-up
 * questions for a restored category) are filled as they come, once. */
function restore(kept) {
  const form = [...document.forms].find((f) => placeOf(f) === kept.place);
  if (!form) return;
  let waiting = kept.answers.filter((answer) => !putBack(form, answer));
  sayKept(form);
  if (!waiting.length) return;
  document.body.addEventListener("htmx:afterSettle", function later() {
    waiting = waiting.filter((answer) => !putBack(form, answer));
    if (!waiting.length) document.body.removeEventListener("htmx:afterSettle", later);
  });
}

/** A page rendered for nobody signed in (as pwa.js tells it): the sign-in page, say. */
function signedOutPage() {
  const me = document.querySelector('meta[name="learnloop-user"]');
  return !me && document.body.hasAttribute("hx-headers");
}

function start() {
  signOuts?.addEventListener("message", forgetHere);
  const kept = take(); // forgotten on every page load, whatever happens next
  if (kept && document.querySelector("[data-csrf-refused]")) {
    // After htmx has started (on DOMContentLoaded), so a restored choice can bring its
    // follow-up questions.
    const restoreNow = () => setTimeout(() => restore(kept), 0);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restoreNow);
    else restoreNow();
  }
  if (signedOutPage()) forget();
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches(".sign-out")) forget();
    else keep(form);
  });
}

start();
