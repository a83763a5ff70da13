// Product form: "Tambah varian" reveals the next empty variant row (the formset's extra forms) without a reload.
// Without this file every empty row is simply shown; empty rows are ignored when saving.
document.addEventListener("DOMContentLoaded", () => {
  const rows = Array.from(document.querySelectorAll(".variant-row[data-extra]"));
  const isBlank = (row) => !row.querySelector(".errorlist") &&
    Array.from(row.querySelectorAll("input:not([type=hidden]):not([type=checkbox])")).every((input) => !input.value);
  const blank = rows.filter(isBlank);
  blank.slice(1).forEach((row) => { row.hidden = true; });
  const button = document.getElementById("add-variant");
  if (!button) return;
  const refresh = () => { button.hidden = !rows.some((row) => row.hidden); };
  button.addEventListener("click", () => {
    const next = rows.find((row) => row.hidden);
    if (!next) return;
    next.hidden = false;
    const first = next.querySelector("input:not([type=hidden])");
    if (first) first.focus();
    refresh();
  });
  refresh();
});
