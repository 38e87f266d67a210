// The header's "Menu" is a <details>, so it opens and closes with Enter, Space or a tap without
// any script. This adds what people expect of a menu: Escape closes it and puts focus back on
// "Menu", and it closes when focus or a tap moves elsewhere on the page.
for (const menu of document.querySelectorAll("details[data-site-menu]")) {
  const summary = menu.querySelector("summary");
  menu.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !menu.open) return;
    menu.open = false;
    summary.focus();
  });
  menu.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
  });
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
}
