/* The live match page: connection banner, polling switch, stale-frame guard, xG race chart.
 *
 * The socket (htmx ws extension) and the polling element (hx-get every 5 s while
 * window.qfSocketDown) both deliver the same out-of-band regions; htmx swaps them.
 * This script only watches: it never fetches anything itself.
 */
(function () {
  "use strict";

  // Connection state ------------------------------------------------------------------

  window.qfSocketDown = false;

  function showConnection(state, text) {
    var banner = document.getElementById("connection");
    if (!banner) return;
    banner.className = "connection connection--" + state;
    banner.textContent = text;
  }

  // After the final whistle the socket may stay open, but nothing is live any more.
  function showLiveOrEnded() {
    if (document.querySelector("#status .badge--finished")) {
      showConnection("ended", "Full time");
    } else {
      showConnection("open", "Live");
    }
  }

  document.addEventListener("htmx:wsOpen", function () {
    window.qfSocketDown = false;
    showLiveOrEnded();
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (!window.qfSocketDown && event.detail.target && event.detail.target.id === "status") {
      showLiveOrEnded();
    }
  });

  document.addEventListener("htmx:wsClose", function () {
    window.qfSocketDown = true;
    showConnection("closed", "Connection lost \u2014 reconnecting; updating every 5 s");
  });

  // A frame older than what a region already shows (a late poll answer racing a push)
  // must not take the page back in time: compare data-seq and keep the newer.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    var incoming = detail.fragment && detail.fragment.firstElementChild;
    var current = detail.target;
    if (!incoming || !current || !incoming.dataset || !current.dataset) return;
    var newSeq = parseInt(incoming.dataset.seq, 10);
    var oldSeq = parseInt(current.dataset.seq, 10);
    if (!isNaN(newSeq) && !isNaN(oldSeq) && newSeq < oldSeq) {
      detail.shouldSwap = false;
    }
  });

  // Kick-off times in the reader's own time zone ----------------------------------------

  function localiseTimes(root) {
    var times = (root || document).querySelectorAll("time[data-local-time]");
    for (var i = 0; i < times.length; i++) {
      var when = new Date(times[i].getAttribute("datetime"));
      if (isNaN(when)) continue;
      var date = times[i].querySelector(".mh-clock__date");
      var time = times[i].querySelector(".mh-clock__time");
      if (date) date.textContent = when.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
      if (time) time.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    }
  }

  // xG race ---------------------------------------------------------------------------

  var chart = null;
  var chartHost = null;

  function cssColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function minuteLabel(value) {
    return Math.round(value) + "'";
  }

  function drawXgRace() {
    var region = document.getElementById("xg-race");
    var host = region && region.querySelector(".xg-race__chart");
    if (host === chartHost && chart) return; // already drawn into this element
    if (chart) {
      chart.destroy();
      chart = null;
      chartHost = null;
    }
    var source = region && region.querySelector("#xg-race-data");
    if (!host || !source || typeof uPlot === "undefined") return;
    var race = JSON.parse(source.textContent);
    var stepped = uPlot.paths.stepped({ align: 1 });
    function series(label, side, colour) {
      var goals = race.goals[side];
      return {
        label: label,
        stroke: colour,
        width: 2,
        paths: stepped,
        value: function (u, v) { return v == null ? "" : v.toFixed(2); },
        points: {
          show: true, size: 9, width: 2, fill: colour, stroke: "#fff",
          filter: function () { return goals; }
        }
      };
    }
    var options = {
      width: Math.max(260, host.clientWidth),
      height: 220,
      scales: { x: { time: false, range: [0, race.end] }, y: { range: function (u, min, max) { return [0, Math.max(1, Math.ceil(max * 2) / 2)]; } } },
      axes: [
        { values: function (u, ticks) { return ticks.map(minuteLabel); }, incrs: [15, 30], grid: { show: false } },
        { size: 40, values: function (u, ticks) { return ticks.map(function (v) { return v.toFixed(1); }); } }
      ],
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: false }, // the summary line above the chart names the teams and totals
      series: [
        { label: "Minute", value: function (u, v) { return v == null ? "" : minuteLabel(v); } },
        series(race.home, "home", cssColour("--qf-home", "#1d5fbf")),
        series(race.away, "away", cssColour("--qf-away", "#e0701b"))
      ]
    };
    chart = new uPlot(options, [race.t, race.home_xg, race.away_xg], host);
    chartHost = host;
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (chart && chartHost) chart.setSize({ width: Math.max(260, chartHost.clientWidth), height: 220 });
    }, 150);
  });

  function afterSwap() {
    drawXgRace();
    localiseTimes();
  }

  // Regions arrive out of band from the socket and from polling; redraw after either.
  document.addEventListener("htmx:oobAfterSwap", afterSwap);
  document.addEventListener("htmx:afterSettle", afterSwap);
  document.addEventListener("htmx:wsAfterMessage", afterSwap);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", afterSwap);
  } else {
    afterSwap();
  }
})();
