// Bulk pages: show only the chosen operation's parameters, and a live progress bar that polls
// the operation's JSON. Everything also works without this script.
"use strict";
(function () {
  const FINAL = ["completed", "completed_with_errors", "failed"];
  const BADGE = {
    queued: "text-bg-info",
    processing: "text-bg-primary",
    completed: "text-bg-success",
    completed_with_errors: "text-bg-warning",
    failed: "text-bg-danger",
  };

  function toggleParameters(form) {
    const select = form.querySelector("select[name=operation]");
    if (!select) return;
    const update = () => {
      form.querySelectorAll("fieldset.bulk-params").forEach((fieldset) => {
        fieldset.hidden = fieldset.getAttribute("data-operation") !== select.value;
      });
    };
    select.addEventListener("change", update);
    update();
  }

  function showProgress(box, done, total, status) {
    const percent = total ? Math.round((100 * done) / total) : 100;
    const bar = document.getElementById("bulk-progress-bar");
    const track = document.getElementById("bulk-progress-track");
    bar.style.width = percent + "%";
    bar.textContent = percent + " %";
    track.setAttribute("aria-valuenow", String(percent));
    document.getElementById("bulk-progress-text").textContent =
      done + " of " + total + " processed (" + percent + " %)";
    const badge = document.getElementById("bulk-status");
    const words = status.replace(/_/g, " ");
    badge.textContent = words.charAt(0).toUpperCase() + words.slice(1);
    badge.className = "badge bulk-status " + (BADGE[status] || "text-bg-secondary");
    box.setAttribute("data-status", status);
  }

  // "2026-12-02T10:15:00Z" → "2026-12-02 11:15" in the user's time zone (the pages' format).
  function localTime(iso, zone) {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone || "UTC",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(new Date(iso));
    const get = (type) => (parts.find((part) => part.type === type) || {}).value;
    return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
  }

  function showTimes(box, op) {
    const zone = box.getAttribute("data-zone");
    const started = document.getElementById("bulk-started");
    const finished = document.getElementById("bulk-finished");
    if (started && op.started_at) started.textContent = localTime(op.started_at, zone);
    if (finished && op.completed_at) finished.textContent = localTime(op.completed_at, zone);
  }

  function poll(box) {
    const url = box.getAttribute("data-url");
    const tick = () => {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((op) => {
          showProgress(box, op.results.length, op.total_count, op.status);
          showTimes(box, op);
          document.getElementById("bulk-counts").textContent =
            op.success_count + " succeeded, " + op.failure_count + " failed";
          if (FINAL.includes(op.status)) {
            // The page renders the per-job results once the operation has finished.
            window.setTimeout(() => window.location.reload(), 600);
          } else {
            window.setTimeout(tick, 500);
          }
        })
        .catch(() => window.setTimeout(tick, 2000));
    };
    tick();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form#bulk-form").forEach(toggleParameters);
    const box = document.getElementById("bulk-progress");
    if (!box) return;
    showProgress(
      box,
      Number(box.getAttribute("data-done")),
      Number(box.getAttribute("data-total")),
      box.getAttribute("data-status")
    );
    if (box.getAttribute("data-final") !== "true") poll(box);
  });
})();
