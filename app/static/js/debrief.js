// After htmx adds a point or an action, the form it came from is replaced by a fresh one, so
// the focus would drop to the page. Put it back in the fresh box, ready for the next point,
// unless the person has already moved on to another box (we never steal focus).
document.addEventListener("htmx:afterSettle", (event) => {
  const selector = event.detail.target?.dataset?.refocus;
  if (!selector) return;
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  document.querySelector(selector)?.focus();
});
