// Small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// A form being sent cannot be sent again by a second click (create forms also carry a one-time
// token, so "back" and submitting again does not create a second copy either).
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
  const form = event.target;
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
      button.disabled = true;
    });
  }, 0);
});
// Back to a page kept in the browser's cache: its buttons work again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form button[type=submit][disabled], form input[type=submit][disabled]")
    .forEach((button) => {
      if (!button.hasAttribute("data-keep-disabled")) button.disabled = false;
    });
});
// One-time form tokens: when "back" shows a create form again (the browser re-fetches it and
// restores what was typed, but not the token), put back the token of the form that was sent,
// so the server recognises a second submission instead of creating a duplicate.
(() => {
  const key = "form_token:" + window.location.pathname;
  const navigation = (performance.getEntriesByType("navigation")[0] || {}).type;
  document.querySelectorAll("input[name=form_token]").forEach((input) => {
    const sent = window.sessionStorage.getItem(key);
    if (navigation === "back_forward" && sent) input.value = sent;
    input.form.addEventListener("submit", () => window.sessionStorage.setItem(key, input.value));
  });
})();
