/* What the site's uPlot charts share: draw once the page is ready, follow the host's width.
 *
 * qfCharts.mount(hostSelector, dataId, build, size): reads the page's json_script #dataId,
 * asks build(data, host) for {options, data}, draws into the host at size(host), and
 * resizes it with the window. The vendored uPlot must load first (scripts are deferred).
 */
window.qfCharts = (function () {
  "use strict";

  function cssColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function mount(hostSelector, dataId, build, size) {
    var chart = null;
    var host = null;

    function draw() {
      host = document.querySelector(hostSelector);
      var source = document.getElementById(dataId);
      if (!host || !source || typeof uPlot === "undefined") return;
      var built = build(JSON.parse(source.textContent), host);
      chart = new uPlot(Object.assign(size(host), built.options), built.data, host);
    }

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

  return { cssColour: cssColour, mount: mount };
})();
