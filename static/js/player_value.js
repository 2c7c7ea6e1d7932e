/* The player page's market value history: one line, weekly valuations and after-match values.
 *
 * The numbers come from the page (json_script #value-chart-data: days as Unix seconds,
 * values in euros, a label per point); drawn with the vendored uPlot into #value-chart.
 */
(function () {
  "use strict";

  var chart = null;

  function money(value) {
    if (value == null) return "";
    if (value >= 1e6) return "€" + (value / 1e6).toFixed(value >= 1e8 ? 0 : 1) + "m";
    return "€" + Math.round(value / 1e3) + "k";
  }

  function size(host) {
    var width = Math.max(260, host.clientWidth);
    return { width: width, height: width < 520 ? 200 : 240 };
  }

  function draw() {
    var host = document.getElementById("value-chart");
    var source = document.getElementById("value-chart-data");
    if (!host || !source || typeof uPlot === "undefined") return;
    var history = JSON.parse(source.textContent);
    var colour = getComputedStyle(document.documentElement).getPropertyValue("--qf-accent").trim() || "#0b7a4b";
    var options = Object.assign(size(host), {
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max) * 1.1]; } } },
      axes: [{}, { size: 64, values: function (u, ticks) { return ticks.map(money); } }],
      series: [
        { label: "Date" },
        { label: "Value", stroke: colour, width: 2.5, value: function (u, v) { return money(v); },
          points: { show: true, size: 6 } }
      ],
      cursor: { drag: { x: false, y: false } }
    });
    if (chart) chart.destroy();
    chart = new uPlot(options, [history.days, history.values], host);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      var host = document.getElementById("value-chart");
      if (chart && host) chart.setSize(size(host));
    }, 150);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
