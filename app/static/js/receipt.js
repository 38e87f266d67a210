// Checks a receipt code without the session cookie.
//
// The code names an anonymous report. If the phone's sign-in went with the check, the server
// would see which account looked at which anonymous report; so the form is sent with
// `credentials: "omit"` (no cookie goes, none comes back) and the answer replaces the page's
// section. Without JavaScript the form still works as a plain post.
const page = document.querySelector("[data-receipt-page]");

function replacePage(html) {
  const answer = new DOMParser().parseFromString(html, "text/html");
  const fresh = answer.querySelector("[data-receipt-page]");
  if (!fresh) return false;
  page.replaceChildren(...fresh.childNodes);
  document.title = answer.title || document.title;
  bind();
  page.focus();
  return true;
}

function say(trouble, message) {
  trouble.hidden = false;
  trouble.textContent = message;
}

async function check(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const trouble = form.querySelector("[data-receipt-trouble]");
  try {
    const response = await fetch(form.action || location.href, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "omit",
      cache: "no-store",
    });
    if (response.status === 429) {
      say(trouble, "Too many codes were tried from this network. Wait an hour, then try again.");
    } else if (!replacePage(await response.text())) {
      say(trouble, "We could not check the code just now. Try again in a few minutes.");
    }
  } catch {
    say(trouble, "We could not check the code just now. Try again when you have signal.");
  }
}

/** The code form, and the conversation's forms (they carry the code too). */
function listen() {
  for (const form of page.querySelectorAll("[data-receipt-check], [data-receipt-post]")) {
    form.addEventListener("submit", check);
  }
}

function bind() {
  listen();
  page.dispatchEvent(new CustomEvent("receipt:shown")); // receipt-watch.js redraws its part
}

if (page) listen();
