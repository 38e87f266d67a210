// After a save that failed, move focus to the error summary at the top of the page (the
// GOV.UK pattern): a screen reader reads it, and a tired eye sees it without scrolling.
const summary = document.querySelector(".error-summary");
if (summary) {
  summary.focus();
  summary.scrollIntoView({ block: "start" });
}
