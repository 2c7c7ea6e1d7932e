/* What the site's uPlot charts share: draw once the page is ready, follow the host's width.
 *
 * qfCharts.mount(hostSelector, dataId, build, size): reads the page's json_script #dataId,
 * asks build(data, host) for {options, data}, draws into the host at size(host), and
 * resizes it with the window. The vendored uPlot must load first (scripts are deferred).
 * Axis text and grid lines take the theme's colours (CSS variables) unless build() set them,
 * and the chart is drawn again when the reader switches theme ("qf:themechange", theme.js).
 */
window.qfCharts = (function () {
  "use strict";

  function cssColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // uPlot draws axis labels in black by default: unreadable on the dark theme.
  function themed(options) {
    var axis = cssColour("--qf-chart-axis", "#5d6878");
    var grid = cssColour("--qf-chart-grid", "rgba(0, 0, 0, 0.08)");
    (options.axes || (options.axes = [{}, {}])).forEach(function (a) {
      if (a.stroke === undefined) a.stroke = axis;
      a.grid = Object.assign({ stroke: grid }, a.grid || {});
      a.ticks = Object.assign({ stroke: grid }, a.ticks || {});
    });
    return options;
  }

  function mount(hostSelector, dataId, build, size) {
    var chart = null;
    var host = null;

    function draw() {
      host = document.querySelector(hostSelector);
      var source = document.getElementById(dataId);
      if (!host || !source || typeof uPlot === "undefined") return;
      var built = build(JSON.parse(source.textContent), host);
      if (chart) chart.destroy();
      chart = new uPlot(Object.assign(size(host), themed(built.options)), built.data, host);
    }

    document.addEventListener("qf:themechange", draw);

    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        if (chart && host) chart.setSize(size(host));
      }, 150);
    });

    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", draw);
    } else {
      draw();
    }
  }

  return { cssColour: cssColour, mount: mount, themed: themed };
})();
