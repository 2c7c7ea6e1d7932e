/* The odds page's line-movement chart (uPlot, vendored): one bookmaker's 1X2 prices.
 *
 * The server writes the points into #odds-chart-data (json_script): in "time" mode the
 * x values are Unix seconds of the snapshots (and the close at kick-off); in "phase"
 * mode they are 0 and 1, for the opening and closing prices. Prices are drawn on a log
 * scale so that a favourite's move from 1.36 to 1.33 shows as clearly as an outsider's
 * from 8.58 to 9.62 (the same change of implied probability looks alike).
 */
(function () {
  "use strict";

  function colours() { // read when drawn, so a theme switch redraws in the theme's colours
    return [qfCharts.cssColour("--qf-home", "#1d5fbf"), qfCharts.cssColour("--qf-chart-draw", "#8a94a6"),
            qfCharts.cssColour("--qf-away", "#e0701b")];
  }

  function priceLabel(u, value) {
    return value == null ? "" : value.toFixed(2);
  }

  function size(host) {
    return { width: Math.max(280, host.clientWidth), height: 260 };
  }

  qfCharts.mount("[data-odds-chart]", "odds-chart-data", function (data) {
    var timed = data.mode === "time";
    var series = [
      timed
        ? { label: "Time", value: "{D} {MMM} {HH}:{mm}" }
        : { label: "Prices", value: function (u, v) { return v == null ? "" : data.ticks[v]; } }
    ];
    data.labels.forEach(function (label, index) {
      series.push({
        label: label,
        stroke: colours()[index % 3],
        width: 2,
        value: priceLabel,
        points: { show: true, size: 7 }
      });
    });
    var xAxis = timed
      ? { grid: { show: false } }
      : { grid: { show: false }, splits: function () { return [0, 1]; },
          values: function (u, ticks) { return ticks.map(function (t) { return data.ticks[t] || ""; }); } };
    return {
      options: {
        scales: {
          x: timed ? { time: true } : { time: false, range: [-0.1, 1.1] },
          y: { distr: 3, log: 10 }
        },
        axes: [xAxis, { size: 48, values: function (u, ticks) { return ticks.map(function (v) { return priceLabel(u, v); }); } }],
        cursor: { drag: { x: false, y: false } },
        series: series
      },
      data: [data.x].concat(data.series)
    };
  }, size);
})();

/* The bookmaker picker redraws the chart for the chosen bookmaker: choosing one submits its
 * form (an onchange="..." attribute would be inline script, which the CSP forbids). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) field.form.submit();
  });
})();
