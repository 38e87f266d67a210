// Warn before leaving a page with typed text that was not saved. A form opts in with
// `data-warn-unsaved`; typing marks it changed, sending it (or resetting it) clears the mark.
const changed = new Set();

for (const form of document.querySelectorAll("form[data-warn-unsaved]")) {
  form.addEventListener("input", () => changed.add(form));
  form.addEventListener("submit", () => changed.clear());
  form.addEventListener("reset", () => changed.delete(form));
}

window.addEventListener("beforeunload", (event) => {
  if (changed.size === 0) return;
  event.preventDefault();
  // Older browsers show the prompt only when returnValue is set.
  event.returnValue = "";
});
