// Dashboard: "select all", and a bulk selection that survives paging and filtering. The
// selection lives in the URL (?selected=id,id): the page's links and the filter form carry it,
// and the bulk form sends the jobs chosen on other pages as hidden fields. Works without it.
"use strict";
(() => {
  const MAX = 50;
  const all = document.getElementById("select-all");
  const form = document.getElementById("bulk-form");
  const count = document.getElementById("selected-count");
  const submit = document.getElementById("bulk-submit");
  const clear = document.getElementById("clear-selection");
  const boxes = () => Array.from(document.querySelectorAll("input.job-select"));
  const initial = (form && form.getAttribute("data-selected")) || "";
  let selected = initial ? initial.split(",").filter(Boolean) : [];

  function withSelection(href) {
    const url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== "/") return href;
    if (selected.length) url.searchParams.set("selected", selected.join(","));
    else url.searchParams.delete("selected");
    return url.pathname + url.search + url.hash;
  }

  function carry() {
    document.querySelectorAll("main a[href^='/']").forEach((link) => {
      link.setAttribute("href", withSelection(link.getAttribute("href")));
    });
    document.querySelectorAll("input.selection-carrier").forEach((input) => {
      input.value = selected.join(",");
    });
    window.history.replaceState(null, "", withSelection(window.location.href));
    if (!form) return;
    form.querySelectorAll("input.selected-elsewhere").forEach((input) => input.remove());
    const here = new Set(boxes().map((box) => box.value));
    selected
      .filter((id) => !here.has(id))
      .forEach((id) => {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = "job_ids";
        input.value = id;
        input.className = "selected-elsewhere";
        form.prepend(input);
      });
  }

  function refresh() {
    const onPage = boxes();
    const chosenHere = onPage.filter((box) => box.checked).map((box) => box.value);
    const here = new Set(onPage.map((box) => box.value));
    selected = selected.filter((id) => !here.has(id)).concat(chosenHere);
    if (selected.length > MAX) {
      window.alert(`At most ${MAX} jobs can be selected for one bulk operation.`);
      selected = selected.slice(0, MAX);
      onPage.forEach((box) => {
        box.checked = selected.includes(box.value);
      });
    }
    if (all) {
      const chosen = onPage.filter((box) => box.checked).length;
      all.checked = chosen > 0 && chosen === onPage.length;
      all.indeterminate = chosen > 0 && chosen < onPage.length;
    }
    const elsewhere = selected.filter((id) => !here.has(id)).length;
    if (count) {
      count.textContent = selected.length
        ? `${selected.length} selected` + (elsewhere ? ` (${elsewhere} on other pages or filters)` : "")
        : "";
    }
    if (submit) submit.disabled = selected.length === 0;
    if (clear) clear.hidden = selected.length === 0;
    carry();
  }

  if (all) {
    all.addEventListener("change", () => {
      boxes().forEach((box) => {
        box.checked = all.checked;
      });
      refresh();
    });
  }
  if (clear) {
    clear.addEventListener("click", () => {
      boxes().forEach((box) => {
        box.checked = false;
      });
      selected = [];
      refresh();
    });
  }
  boxes().forEach((box) => box.addEventListener("change", refresh));
  refresh();
})();
