// Receipt codes this phone remembers, and news of replies, without the session cookie.
//
// On the receipt page, once a report shows, the reporter may let this phone remember its
// code, and ask for a notification when a reply comes. On the home page, the remembered codes
// are checked (when online) and "A reply is waiting" shows when something new has reached
// any of them. Every request here leaves the session cookie behind (`credentials: "omit"`),
// so the server never learns which account holds which code (docs/security.md).
//
// Kept in localStorage under "learnloop-receipt-codes:<user id>" (the person signed in on
// this phone when they chose to remember it): the code, the reply marker last shown, and the
// scope of its notification worker if any; and "learnloop-receipt-news:<user id>", when the
// phone last asked and whether a reply was waiting. Nothing leaves the phone but the codes themselves,
// to our server, when checking. Forgetting a code removes it and its notifications.
const PREFIX = "learnloop-receipt-codes:";
const PUSH_WORKER = "/static/js/receipt-push-sw.js";
const me = document.querySelector('meta[name="learnloop-user"]')?.content || "";

// ---- the list on this phone ---------------------------------------------------------------
function remembered() {
  try {
    const kept = JSON.parse(localStorage.getItem(PREFIX + me));
    return Array.isArray(kept) ? kept : [];
  } catch {
    return [];
  }
}

function save(list) {
  try {
    if (list.length) localStorage.setItem(PREFIX + me, JSON.stringify(list));
    else localStorage.removeItem(PREFIX + me);
  } catch {
    // No storage here (private browsing): nothing is remembered.
  }
}

const find = (code) => remembered().find((r) => r.code === code);
const change = (code, values) =>
  save(remembered().map((r) => (r.code === code ? { ...r, ...values } : r)));

async function postWithoutSession(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "omit",
    cache: "no-store",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
}

// ---- the home page: is a reply waiting? ---------------------------------------------------
// Asked at most every few minutes per phone (tests shorten it): phones behind one care home
// address share the server's limit on these checks.
const NEWS_KEY = "learnloop-receipt-news:";
const checkEvery = () => globalThis.learnloopReceiptTiming?.checkEveryMs ?? 5 * 60 * 1000;

function lastNews() {
  try {
    return JSON.parse(localStorage.getItem(NEWS_KEY + me)) || {};
  } catch {
    return {};
  }
}

function noteNews(values) {
  try {
    localStorage.setItem(NEWS_KEY + me, JSON.stringify(values));
  } catch {
    // No storage: the next page asks again.
  }
}

async function checkForReplies(box) {
  const kept = remembered();
  if (!kept.length) return;
  const last = lastNews();
  box.hidden = !last.waiting;
  if (!navigator.onLine || Date.now() - (last.at || 0) < checkEvery()) return;
  try {
    const response = await postWithoutSession("/reports/receipt/news", {
      codes: kept.map((r) => r.code),
    });
    if (!response.ok) return;
    const answers = (await response.json()).codes || {};
    // Waiting: something reached the reporter (news) that this phone has not shown them.
    const waiting = kept.some((r) => answers[r.code]?.news && answers[r.code].marker !== r.seen);
    noteNews({ at: Date.now(), waiting });
    box.hidden = !waiting;
  } catch {
    // Offline or refused: try again when the phone is back online.
  }
}

// ---- notifications for one code ----------------------------------------------------------
function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function activated(registration) {
  const worker = registration.installing || registration.waiting || registration.active;
  if (worker.state === "activated") return Promise.resolve();
  return new Promise((resolve) => {
    worker.addEventListener("statechange", () => worker.state === "activated" && resolve());
  });
}

async function turnOnNotifications(code, publicKey) {
  if ((await Notification.requestPermission()) !== "granted") {
    throw new Error("Notifications are blocked for this site in the phone's settings.");
  }
  const scope = `/static/js/receipt-push/${crypto.randomUUID()}/`; // names nothing
  const registration = await navigator.serviceWorker.register(PUSH_WORKER, { scope });
  await activated(registration);
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(publicKey),
  });
  const response = await postWithoutSession("/reports/receipt/push", {
    code,
    subscription: subscription.toJSON(),
  });
  if (!response.ok) {
    await subscription.unsubscribe();
    await registration.unregister();
    throw new Error("We could not turn on notifications just now. Try again later.");
  }
  change(code, { pushScope: scope });
}

async function turnOffNotifications(code) {
  const scope = find(code)?.pushScope;
  if (!scope) return;
  const registration = await navigator.serviceWorker.getRegistration(scope);
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription) {
    await postWithoutSession("/reports/receipt/push", {
      code,
      remove: true,
      endpoint: subscription.endpoint,
    }).catch(() => {});
    await subscription.unsubscribe();
  }
  await registration?.unregister();
  change(code, { pushScope: null });
}

const canNotify = () => "serviceWorker" in navigator && "PushManager" in window;

// ---- the receipt page --------------------------------------------------------------------
function button(text, onClick, primary = false) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = primary ? "button button--primary button--block" : "button button--block";
  element.textContent = text;
  element.addEventListener("click", onClick);
  return element;
}

function paragraph(text, className = "") {
  const element = document.createElement("p");
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function showKeep(section) {
  const box = section.querySelector("[data-receipt-keep]");
  if (!box) return;
  const { receiptCode: code, replyMarker: marker, pushKey } = section.dataset;
  const kept = find(code);
  if (kept && marker) {
    change(code, { seen: marker }); // the reporter is reading it now
    noteNews({ at: 0, waiting: false }); // ask again on the next home page
  }
  const status = paragraph("", "muted");
  status.setAttribute("role", "status");
  const redraw = () => showKeep(section);
  const trying = (work) => async () => {
    try {
      await work();
      redraw();
    } catch (error) {
      status.textContent = error.message || "That did not work. Try again later.";
    }
  };
  const parts = [];
  if (!kept) {
    parts.push(
      paragraph(
        "This phone can remember this code and show \u201cA reply is waiting\u201d on your home " +
          "page. Only do this on your own phone: anyone who opens LearnLoop on it as you " +
          "could see that you sent an anonymous report.",
      ),
      button("Remember this code on this phone", () => {
        save([...remembered(), { code, seen: marker, pushScope: null }]);
        noteNews({ at: 0, waiting: false });
        redraw();
      }),
    );
  } else {
    parts.push(
      paragraph(
        "This phone remembers this code and shows \u201cA reply is waiting\u201d on your home page.",
      ),
    );
    if (pushKey && canNotify() && !kept.pushScope) {
      parts.push(
        button(
          "Tell this phone when a reply comes",
          trying(() => turnOnNotifications(code, pushKey)),
        ),
      );
    } else if (kept.pushScope) {
      parts.push(
        paragraph("This phone gets a notification when a reply comes."),
        button("Stop notifications for this code", trying(() => turnOffNotifications(code))),
      );
    }
    parts.push(
      button(
        "Forget this code on this phone",
        trying(async () => {
          await turnOffNotifications(code);
          save(remembered().filter((r) => r.code !== code));
        }),
      ),
    );
  }
  box.replaceChildren(...parts, status);
  box.hidden = false;
}

/** On the code form: the codes this phone remembers, each one tap away. */
function showRemembered(page) {
  const form = page.querySelector("[data-receipt-check]");
  const kept = remembered();
  if (!form || !kept.length) return;
  const list = document.createElement("div");
  list.className = "stack";
  list.append(paragraph("Codes this phone remembers:"));
  for (const { code } of kept) {
    list.append(
      button(`Check ${code}`, () => {
        form.querySelector('input[name="code"]').value = code;
        form.requestSubmit();
      }),
    );
  }
  form.after(list);
}

function onReceiptPage(page) {
  const section = page.querySelector("[data-conversation]");
  if (section) showKeep(section);
  else showRemembered(page);
}

const page = document.querySelector("[data-receipt-page]");
if (page) {
  onReceiptPage(page);
  page.addEventListener("receipt:shown", () => onReceiptPage(page));
}
// The thank-you page of an anonymous report: remember its code from the start.
const offer = document.querySelector("[data-receipt-offer]");
if (offer) showKeep(offer);
const waitingBox = document.querySelector("[data-reply-waiting]");
if (waitingBox) {
  checkForReplies(waitingBox);
  window.addEventListener("online", () => checkForReplies(waitingBox));
}
