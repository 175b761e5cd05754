// Charts of the dashboard (Chart.js, vendored in static/vendor). The numbers come from json_script
// elements next to each canvas; the tables beside them stay the accessible source, the canvases carry
// role="img" and an aria-label.
(function () {
  "use strict";
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var common = { responsive: true, maintainAspectRatio: false, animation: reduce ? false : { duration: 300 } };
    var trend = read("chart-trend-data");
    var trendCanvas = document.getElementById("chart-trend");
    if (trend && trendCanvas) {
      var colours = ["#1f5fa8", "#2e8540", "#c0392b"];
      var datasets = trend.series.map(function (s, i) {
        return { type: "bar", label: s.label, data: s.data, backgroundColor: colours[i % colours.length], yAxisID: "y" };
      });
      datasets.push({ type: "line", label: trend.rate_label, data: trend.rates, borderColor: "#8e44ad",
        backgroundColor: "#8e44ad", yAxisID: "rate", spanGaps: true });
      new window.Chart(trendCanvas, {
        data: { labels: trend.labels, datasets: datasets },
        options: Object.assign({}, common, {
          scales: { y: { beginAtZero: true, position: "left" },
            rate: { beginAtZero: true, max: 100, position: "right", grid: { drawOnChartArea: false } } },
        }),
      });
    }
    var ranking = read("chart-ranking-data");
    var rankingCanvas = document.getElementById("chart-ranking");
    if (ranking && rankingCanvas && ranking.labels.length) {
      new window.Chart(rankingCanvas, {
        type: "bar",
        data: { labels: ranking.labels, datasets: [{ label: ranking.label, data: ranking.data, backgroundColor: "#1f5fa8" }] },
        options: Object.assign({}, common, { indexAxis: "y", scales: { x: { beginAtZero: true, max: 100 } },
          plugins: { legend: { display: false } } }),
      });
    } else if (rankingCanvas) {
      rankingCanvas.parentNode.hidden = true;
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
