/* The player page's FPL card: his FPL price by gameweek (£m, left axis) beside our market
 * value (€m, right axis). Data from json_script #fpl-chart-data; drawn with the vendored uPlot
 * through qfCharts (charts.js), once the page's deferred chart scripts have run.
 */
(function () {
  "use strict";

  function size(host) {
    var width = Math.max(260, host.clientWidth);
    return { width: width, height: width < 520 ? 200 : 240 };
  }

  function start() {
    qfCharts.mount("#fpl-chart", "fpl-chart-data", function (chart) {
      var withValues = chart.values.some(function (v) { return v != null; });
      var series = [
        { label: "Date" },
        { label: "FPL price", scale: "gbp", stroke: qfCharts.cssColour("--qf-accent", "#0b7a4b"), width: 2,
          spanGaps: true, value: function (u, v) { return v == null ? "" : "£" + v.toFixed(1) + "m"; } }
      ];
      var axes = [{}, { scale: "gbp", size: 52, values: function (u, ticks) {
        return ticks.map(function (t) { return "£" + t.toFixed(1); }); } }];
      var data = [chart.days, chart.prices];
      if (withValues) {
        series.push({ label: "Our value", scale: "eur", stroke: qfCharts.cssColour("--qf-chart-second", "#6b4fbb"), width: 2, dash: [6, 4], spanGaps: true,
                      value: function (u, v) { return v == null ? "" : "€" + v.toFixed(1) + "m"; } });
        axes.push({ scale: "eur", side: 1, size: 52, grid: { show: false }, values: function (u, ticks) {
          return ticks.map(function (t) { return "€" + t.toFixed(0) + "m"; }); } });
        data.push(chart.values);
      }
      return {
        options: { scales: { x: { time: true } }, axes: axes, series: series, cursor: { drag: { x: false, y: false } } },
        data: data
      };
    }, size);
  }

  // Deferred scripts run in document order while readyState is already "interactive", so
  // this one runs before the page's uPlot and charts.js: start once they have (DOMContentLoaded).
  var started = false;
  function once() {
    if (started || !window.qfCharts) return;
    started = true;
    start();
  }
  document.addEventListener("DOMContentLoaded", once);
  window.addEventListener("load", once);
  if (document.readyState === "complete") once();
})();
