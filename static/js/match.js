/* The live match page: connection banner, polling switch, stale-frame guard, xG race and win-probability charts.
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

  // While the socket is down, ask the polling element for the regions every 5 s. A timer
  // here rather than htmx's "every 5s [window.qfSocketDown]": htmx evaluates trigger
  // filters with Function(), which the Content-Security-Policy (no 'unsafe-eval') forbids.
  window.setInterval(function () {
    var poller = document.querySelector("[data-poll-while-socket-down]");
    if (window.qfSocketDown && poller && window.htmx) window.htmx.trigger(poller, "qf:poll");
  }, 5000);

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

  // Times in the reader's own zone: static/js/local_time.js (every page, pushed fragments too).

  // Goals for screen readers ------------------------------------------------------------
  //
  // A swapped-in #score is a new element, which screen readers may not announce; the page's
  // #live-announcer stays put, so a pushed score that changed is read out from there:
  // "Goal! Turkey 0, Italy 1: Immobile 66'".

  var announced = null; // { goal, score } as last seen

  function announceGoal() {
    var score = document.getElementById("score");
    var events = document.getElementById("events");
    var announcer = document.getElementById("live-announcer");
    var text = score && score.querySelector("[data-score-text]");
    var now = {
      goal: (events && events.getAttribute("data-last-goal")) || "",
      score: text ? text.textContent.trim() : ""
    };
    if (announced && announcer) {
      // A new goal says who scored. A score change alone (its timeline may come in the next frame,
      // or never, for a feed without events) waits a moment, then says the score if no goal came.
      if (now.goal && now.goal !== announced.goal) {
        clearTimeout(scoreTimer);
        announcer.textContent = now.goal;
      } else if (now.score && now.score !== announced.score) {
        var goalBefore = now.goal;
        clearTimeout(scoreTimer);
        scoreTimer = setTimeout(function () {
          if (announced.goal === goalBefore) announcer.textContent = now.score;
        }, 800);
      }
    }
    announced = now;
  }
  var scoreTimer = null;

  // Charts: the xG race and the win probability ------------------------------------------
  //
  // Each chart is drawn from the JSON its region embeds, into the region's chart element;
  // a pushed region is a new element, so the chart is drawn again after each swap.

  var charts = {}; // region id -> { chart, host }
  var CHART_HEIGHT = 220;

  function cssColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function minuteLabel(value) {
    return Math.round(value) + "'";
  }

  // A stepped line whose goal points are marked (indices into the data).
  function steppedSeries(label, colour, goals, format) {
    return {
      label: label,
      stroke: colour,
      width: 2,
      paths: uPlot.paths.stepped({ align: 1 }),
      value: function (u, v) { return v == null ? "" : format(v); },
      points: {
        show: true, size: 9, width: 2, fill: colour, stroke: cssColour("--qf-chart-point-ring", "#fff"),
        filter: function () { return goals || []; }
      }
    };
  }

  function chartOptions(host, end, yScale, yValues, series) {
    return {
      width: Math.max(260, host.clientWidth),
      height: CHART_HEIGHT,
      scales: { x: { time: false, range: [0, end] }, y: yScale },
      axes: [
        { values: function (u, ticks) { return ticks.map(minuteLabel); }, incrs: [15, 30], grid: { show: false },
          stroke: cssColour("--qf-chart-axis", "#5d6878"), ticks: { stroke: cssColour("--qf-chart-grid", "rgba(0,0,0,.08)") } },
        { size: 48, values: function (u, ticks) { return ticks.map(yValues); }, // room for "100%"
          stroke: cssColour("--qf-chart-axis", "#5d6878"), grid: { stroke: cssColour("--qf-chart-grid", "rgba(0,0,0,.08)") },
          ticks: { stroke: cssColour("--qf-chart-grid", "rgba(0,0,0,.08)") } }
      ],
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: false }, // the text above each chart names the teams and figures
      series: [{ label: "Minute", value: function (u, v) { return v == null ? "" : minuteLabel(v); } }].concat(series)
    };
  }

  // Draws a region's chart unless it is already drawn into that element.
  function drawChart(regionId, hostClass, dataId, build) {
    var region = document.getElementById(regionId);
    var host = region && region.querySelector("." + hostClass);
    var current = charts[regionId];
    if (current && current.host === host) return;
    if (current) {
      current.chart.destroy();
      delete charts[regionId];
    }
    var source = region && region.querySelector("#" + dataId);
    if (!host || !source || typeof uPlot === "undefined") return;
    var built = build(JSON.parse(source.textContent), host);
    charts[regionId] = { chart: new uPlot(built.options, built.data, host), host: host };
  }

  function drawXgRace() {
    drawChart("xg-race", "xg-race__chart", "xg-race-data", function (race, host) {
      function xg(v) { return v.toFixed(2); }
      return {
        options: chartOptions(
          host, race.end,
          { range: function (u, min, max) { return [0, Math.max(1, Math.ceil(max * 2) / 2)]; } },
          function (v) { return v.toFixed(1); },
          [
            steppedSeries(race.home, cssColour("--qf-home", "#1d5fbf"), race.goals.home, xg),
            steppedSeries(race.away, cssColour("--qf-away", "#e0701b"), race.goals.away, xg)
          ]
        ),
        data: [race.t, race.home_xg, race.away_xg]
      };
    });
  }

  function drawWinProbability() {
    drawChart("winprob", "winprob__chart", "winprob-data", function (wp, host) {
      function percent(v) { return Math.round(v * 100) + "%"; }
      return {
        options: chartOptions(
          host, wp.end, { range: [0, 1] }, percent,
          [
            steppedSeries(wp.home_name, cssColour("--qf-home", "#1d5fbf"), wp.goals.home, percent),
            steppedSeries("Draw", cssColour("--qf-chart-draw", "#9aa3ad"), [], percent),
            steppedSeries(wp.away_name, cssColour("--qf-away", "#e0701b"), wp.goals.away, percent)
          ]
        ),
        data: [wp.t, wp.home, wp.draw, wp.away]
      };
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(charts).forEach(function (id) {
        var drawn = charts[id];
        drawn.chart.setSize({ width: Math.max(260, drawn.host.clientWidth), height: CHART_HEIGHT });
      });
    }, 150);
  });

  function afterSwap() {
    drawXgRace();
    drawWinProbability();
    announceGoal();
  }

  // Another theme: the charts' colours come from CSS variables, so draw them again.
  document.addEventListener("qf:themechange", function () {
    Object.keys(charts).forEach(function (id) {
      charts[id].chart.destroy();
      delete charts[id];
    });
    afterSwap();
  });

  // Regions arrive out of band from the socket and from polling; redraw after either.
  document.addEventListener("htmx:oobAfterSwap", afterSwap);
  document.addEventListener("htmx:afterSettle", afterSwap);
  document.addEventListener("htmx:wsAfterMessage", afterSwap);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", afterSwap);
  } else {
    afterSwap();
  }
  // Tabs -------------------------------------------------------------------------------
  //
  // The server draws every panel; with this script one panel shows at a time and the URL's
  // hash names it (#stats), so a shared link opens the same tab. A tab whose regions all have
  // nothing to show yet is hidden, and appears when a push fills one of them.

  function panelHasContent(panel) {
    var cards = panel.querySelectorAll(":scope > *");
    for (var i = 0; i < cards.length; i++) {
      var name = cards[i].getAttribute("data-region");
      var region = name ? document.getElementById(name) : cards[i];
      if (region && !region.hidden) return true;
    }
    return false;
  }

  function showTab(key, focus) {
    var nav = document.querySelector("[data-tabs]");
    if (!nav) return;
    var panels = document.querySelectorAll("[data-panel]");
    var found = false;
    for (var i = 0; i < panels.length; i++) {
      var active = panels[i].getAttribute("data-panel") === key;
      panels[i].classList.toggle("is-active", active);
      found = found || active;
    }
    if (!found) return;
    afterSwap(); // charts drawn while their panel was hidden had no width
    var links = nav.querySelectorAll("[data-tab]");
    for (var j = 0; j < links.length; j++) {
      var selected = links[j].getAttribute("data-tab") === key;
      links[j].setAttribute("aria-selected", selected ? "true" : "false");
      links[j].tabIndex = selected ? 0 : -1;
      if (selected && focus) links[j].focus();
    }
  }

  function refreshTabs() {
    var nav = document.querySelector("[data-tabs]");
    if (!nav) return;
    var links = nav.querySelectorAll("[data-tab]");
    for (var i = 0; i < links.length; i++) {
      var panel = document.querySelector('[data-panel="' + links[i].getAttribute("data-tab") + '"]');
      links[i].hidden = !panel || !panelHasContent(panel);
    }
  }

  function setUpTabs() {
    var nav = document.querySelector("[data-tabs]");
    if (!nav) return;
    document.body.classList.add("js-tabs");
    nav.setAttribute("role", "tablist");
    var links = nav.querySelectorAll("[data-tab]");
    for (var i = 0; i < links.length; i++) {
      var key = links[i].getAttribute("data-tab");
      links[i].setAttribute("role", "tab");
      links[i].setAttribute("aria-controls", "panel-" + key);
      var panel = document.getElementById("panel-" + key); // not the key itself: "stats" is also a region's id
      if (panel) panel.setAttribute("role", "tabpanel");
    }
    nav.addEventListener("click", function (event) {
      var link = event.target.closest("[data-tab]");
      if (!link) return;
      event.preventDefault();
      var key = link.getAttribute("data-tab");
      history.replaceState(null, "", "#" + key);
      showTab(key, false);
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      var visible = Array.prototype.filter.call(nav.querySelectorAll("[data-tab]"), function (link) { return !link.hidden; });
      var at = visible.indexOf(document.activeElement);
      if (at < 0) return;
      var next = visible[(at + (event.key === "ArrowRight" ? 1 : visible.length - 1)) % visible.length];
      history.replaceState(null, "", "#" + next.getAttribute("data-tab"));
      showTab(next.getAttribute("data-tab"), true);
    });
    refreshTabs();
    var wanted = location.hash.slice(1);
    showTab(document.querySelector('[data-tab="' + wanted + '"]') ? wanted : nav.getAttribute("data-first-tab"), false);
  }

  document.addEventListener("htmx:oobAfterSwap", refreshTabs);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpTabs);
  } else {
    setUpTabs();
  }
})();
