// "Notifications on this device" on My account: subscribe this browser's service worker
// (scope /) to push, and tell the server, with the session and CSRF token, that it belongs to
// the person signed in. Anonymous reporters' notifications never come through here: each of
// their receipt codes has its own worker and endpoint (receipt-watch.js).
const card = document.querySelector("[data-push-card]");
const state = card?.querySelector("[data-push-state]");
const onButton = card?.querySelector("[data-push-on]");
const offButton = card?.querySelector("[data-push-off]");

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  } catch {
    return "";
  }
}

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error("We could not reach LearnLoop. Try again when you have signal.");
}

function show(subscription) {
  state.textContent = subscription
    ? "On: this device gets notifications."
    : "Off: this device gets no notifications.";
  onButton.hidden = Boolean(subscription);
  offButton.hidden = !subscription;
}

async function turnOn(registration) {
  if ((await Notification.requestPermission()) !== "granted") {
    throw new Error("Notifications are blocked for this site in the device's settings.");
  }
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(card.dataset.pushKey),
  });
  try {
    await post("/account/push", { subscription: subscription.toJSON() });
  } catch (error) {
    await subscription.unsubscribe();
    throw error;
  }
  return subscription;
}

async function turnOff(registration) {
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    await post("/account/push/remove", { endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  }
  return null;
}

async function start() {
  if (!card.dataset.pushKey || !("serviceWorker" in navigator) || !("PushManager" in window)) {
    state.textContent = "This browser cannot show notifications.";
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  show(await registration.pushManager.getSubscription());
  const run = (work) => async () => {
    try {
      show(await work(registration));
    } catch (error) {
      state.textContent = error.message;
    }
  };
  onButton.addEventListener("click", run(turnOn));
  offButton.addEventListener("click", run(turnOff));
}

if (card) start();
