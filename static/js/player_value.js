/* The player page's market value history: weekly valuations and after-match values.
 *
 * The numbers come from the page (json_script #value-chart-data: days as Unix seconds,
 * values in euros); drawn with the vendored uPlot through qfCharts (charts.js).
 */
(function () {
  "use strict";

  function money(value) {
    if (value == null) return "";
    if (value >= 1e6) return "€" + (value / 1e6).toFixed(value >= 1e8 ? 0 : 1) + "m";
    return "€" + Math.round(value / 1e3) + "k";
  }

  function size(host) {
    var width = Math.max(260, host.clientWidth);
    return { width: width, height: width < 520 ? 200 : 240 };
  }

  // This script sits in the page's body, before charts.js (in the scripts block): start once every
  // deferred script has run, as fpl_price.js does.
  function start() {
  qfCharts.mount("#value-chart", "value-chart-data", function (history) {
    return {
      options: {
        scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } } },
        axes: [{}, { size: 64, values: function (u, ticks) { return ticks.map(money); } }],
        series: [
          { label: "Date" },
          { label: "Value", stroke: qfCharts.cssColour("--qf-accent", "#0b7a4b"), width: 2.5,
            value: function (u, v) { return money(v); }, points: { show: true, size: 6 } }
        ],
        cursor: { drag: { x: false, y: false } }
      },
      data: [history.days, history.values]
    };
  }, size);
  }

  // Deferred scripts run while readyState is already "interactive": wait for DOMContentLoaded.
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
