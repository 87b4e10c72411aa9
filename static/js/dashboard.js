// Dashboard: "select all" and the selection count for the bulk form. The page works without it.
"use strict";
(() => {
  const all = document.getElementById("select-all");
  const boxes = () => Array.from(document.querySelectorAll("input.job-select"));
  const count = document.getElementById("selected-count");
  const submit = document.getElementById("bulk-submit");

  function refresh() {
    const chosen = boxes().filter((box) => box.checked).length;
    if (all) {
      all.checked = chosen > 0 && chosen === boxes().length;
      all.indeterminate = chosen > 0 && chosen < boxes().length;
    }
    if (count) {
      count.textContent = chosen ? `${chosen} selected` : "";
    }
    if (submit) {
      submit.disabled = chosen === 0;
    }
  }

  if (all) {
    all.addEventListener("change", () => {
      boxes().forEach((box) => {
        box.checked = all.checked;
      });
      refresh();
    });
  }
  boxes().forEach((box) => box.addEventListener("change", refresh));
  refresh();
})();
