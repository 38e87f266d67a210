// Observing practice. On the checklist: a critical item marked "Not yet" switches the outcome
// to "Not yet competent" at once, says which item caused it, and "Competent" cannot be chosen
// until no critical item is "Not yet" (the server decides the same way when it is saved).
// On the start page: add-on modules show only for checklists that have them (medication).

function criticalNotYet(form) {
  return [...form.querySelectorAll("[data-critical-item]")]
    .filter((item) => item.querySelector('input[value="not_yet"]:checked'))
    .map((item) => item.dataset.criticalItem);
}

function followCriticalItems(form) {
  const competent = form.querySelector('input[name="outcome"][value="competent"]');
  const notYet = form.querySelector('input[name="outcome"][value="not_yet_competent"]');
  const reason = form.querySelector("#outcome-reason");
  if (!competent || !notYet || !reason) return;
  const update = () => {
    const causes = criticalNotYet(form);
    competent.disabled = causes.length > 0;
    if (causes.length === 0) {
      reason.textContent = "";
      return;
    }
    competent.checked = false;
    notYet.checked = true;
    const names = causes.map((text) => `“${text}”`).join(", ");
    reason.textContent =
      causes.length === 1
        ? `Not yet competent, because the critical item ${names} is not yet met.`
        : `Not yet competent, because the critical items ${names} are not yet met.`;
  };
  form.addEventListener("change", update);
  update();
}

function addOnsOnlyWhereTheyApply() {
  const addOns = document.querySelector("[data-add-ons-for]");
  const checklist = document.querySelector('select[name="template_id"]');
  if (!addOns || !checklist) return;
  const withAddOns = new Set(addOns.dataset.addOnsFor.split(" ").filter(Boolean));
  const update = () => {
    const applies = withAddOns.has(checklist.value);
    addOns.hidden = !applies;
    if (!applies) {
      for (const box of addOns.querySelectorAll("input[type=checkbox]")) box.checked = false;
    }
  };
  checklist.addEventListener("change", update);
  update();
}

const observation = document.querySelector("form[data-observation]");
if (observation) followCriticalItems(observation);
addOnsOnlyWhereTheyApply();
