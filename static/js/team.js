/* The team page's chart: cumulative points and xG for and against, match by match.
 *
 * The numbers come from the page (json_script #team-chart-data); the chart is drawn with
 * the vendored uPlot (static/vendor/uplot) into #team-chart through qfCharts (charts.js).
 */
(function () {
  "use strict";

  // Both lines start at 0; the top is the next round number above the season's highest value.
  function fromZero(u, min, max) {
    var top = Math.max(1, max || 0);
    var step = top <= 10 ? 2 : top <= 50 ? 5 : 10;
    return [0, Math.ceil(top / step) * step];
  }

  function size(host) {
    var width = Math.max(260, host.clientWidth);
    return { width: width, height: width < 520 ? 240 : 300 };
  }

  qfCharts.mount("#team-chart", "team-chart-data", function (season) {
    var withXg = season.xg_for !== null;

    function decimals(places) {
      return function (u, v) { return v == null ? "" : v.toFixed(places); };
    }

    var series = [
      { label: "Match", value: function (u, v) { return v == null ? "" : season.labels[v]; } },
      { label: "Points", scale: "points", stroke: qfCharts.cssColour("--qf-accent", "#0b7a4b"), width: 2.5,
        value: decimals(0), points: { show: false } }
    ];
    var data = [season.match, season.points];
    var axes = [
      { scale: "x", incrs: [1, 2, 5, 10], values: function (u, ticks) { return ticks.map(String); },
        grid: { show: false } },
      { scale: "points", label: "Points", size: 44, values: function (u, ticks) { return ticks.map(String); } }
    ];
    if (withXg) {
      series.push(
        { label: "xG for", scale: "xg", stroke: qfCharts.cssColour("--qf-link", "#0a58ca"), width: 2,
          value: decimals(2), points: { show: false } },
        { label: "xG against", scale: "xg", stroke: qfCharts.cssColour("--qf-loss", "#d64545"), width: 2,
          dash: [6, 4], value: decimals(2), points: { show: false } }
      );
      data.push(season.xg_for, season.xg_against);
      axes.push({ scale: "xg", label: "xG", side: 1, size: 44, grid: { show: false },
                  values: function (u, ticks) { return ticks.map(String); } });
    }
    return {
      options: {
        scales: {
          x: { time: false, range: [0, Math.max(1, season.match.length - 1)] },
          points: { range: fromZero },
          xg: { range: fromZero }
        },
        axes: axes,
        series: series,
        cursor: { drag: { x: false, y: false } }
      },
      data: data
    };
  }, size);
})();
