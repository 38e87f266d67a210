// A live character count under long text boxes (`data-maxlength`), as GOV.UK's character
// count does. The box has no maxlength, so a long paste is never cut short without a word:
// the count says how many characters are left or too many, and the server refuses text
// over the limit with the same figure. The count on screen changes as you type; screen
// readers hear it (politely, once typing pauses) only near the limit, not on every key.
const NEAR = 0.1; // the last tenth of the limit
const PAUSE_MS = 800;
const number = new Intl.NumberFormat("en-GB");

function sayCount(limit, length) {
  const left = limit - length;
  if (left >= 0) return `${number.format(left)} ${left === 1 ? "character" : "characters"} left`;
  const over = -left;
  return `${number.format(over)} ${over === 1 ? "character" : "characters"} too many`;
}

function enhance(box) {
  const limit = Number(box.dataset.maxlength);
  const hint = document.getElementById(`${box.id}-limit`);
  if (!limit || !hint) return;
  hint.classList.add("visually-hidden"); // still read with the box: "up to N characters"

  const shown = document.createElement("p");
  shown.className = "field__hint char-count";
  shown.setAttribute("aria-hidden", "true"); // the live region below speaks for it
  const spoken = document.createElement("p");
  spoken.className = "visually-hidden";
  spoken.setAttribute("aria-live", "polite");
  hint.after(shown, spoken);

  let timer = 0;
  const update = () => {
    const text = sayCount(limit, box.value.length);
    const over = box.value.length > limit;
    shown.textContent = text;
    shown.classList.toggle("char-count--over", over);
    box.classList.toggle("field__input--over", over);
    clearTimeout(timer);
    const near = limit - box.value.length <= limit * NEAR;
    timer = setTimeout(() => {
      spoken.textContent = near ? text : "";
    }, PAUSE_MS);
  };
  box.addEventListener("input", update);
  update();
}

for (const box of document.querySelectorAll("textarea[data-maxlength]")) enhance(box);
