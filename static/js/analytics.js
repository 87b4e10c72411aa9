// Analytics charts (Chart.js, served locally). Data comes from the page's JSON block; every
// number is also on the page as text, so the page works without this script.
"use strict";
(() => {
  const source = document.getElementById("analytics-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const colours = ["#0d6efd", "#6610f2", "#6f42c1", "#d63384", "#fd7e14", "#198754"];
  const common = { responsive: true, maintainAspectRatio: false, animation: false };
  const charts = {};

  function bar(id, labels, values, label, horizontal) {
    const canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    charts[id] = new window.Chart(canvas, {
      type: "bar",
      data: { labels, datasets: [{ label, data: values, backgroundColor: colours }] },
      options: {
        ...common,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: { [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  const titled = (keys) => keys.map((key) => key.charAt(0).toUpperCase() + key.slice(1).replace("_", " "));

  // JSON objects arrive with sorted keys: the funnel keeps its own order.
  const FUNNEL = ["views", "applications", "shortlisted", "interviews", "offers", "hires"];
  if (data.funnel) {
    const keys = FUNNEL.filter((key) => key in data.funnel);
    bar("funnel-chart", titled(keys), keys.map((key) => data.funnel[key]), "Count", true);
  }
  if (data.scores) {
    bar("score-chart", data.scores.map((b) => b.range), data.scores.map((b) => b.count), "Applications", false);
  }
  if (data.trends) {
    const canvas = document.getElementById("trends-chart");
    const series = ["views", "applications", "shortlisted", "interviews", "offers", "hires"];
    charts["trends-chart"] = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.trends.map((row) => row.date),
        datasets: series.map((key, i) => ({
          label: titled([key])[0],
          data: data.trends.map((row) => row[key]),
          borderColor: colours[i],
          backgroundColor: colours[i],
          tension: 0.2,
          pointRadius: data.trends.length > 60 ? 0 : 2,
        })),
      },
      options: {
        ...common,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  const STAGES = ["applied", "shortlisted", "interview", "offer", "hired", "rejected", "withdrawn"];
  if (data.pipeline) {
    const keys = STAGES.filter((key) => key in data.pipeline);
    bar("pipeline-chart", titled(keys), keys.map((key) => data.pipeline[key]), "Applications", false);
  }
  document.documentElement.dataset.chartsReady = String(Object.keys(charts).length);
})();
