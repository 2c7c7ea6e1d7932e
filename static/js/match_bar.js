// The match page's compact score bar on phones (templates/matches/match_detail.html, static/css/compact.css).
// It shows once the match header has scrolled out of view, and mirrors the header's #score and #clock,
// which the live push and the polling fallback keep up to date: the bar never has figures of its own.
(function () {
  "use strict";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function mirror(bar) {
    var score = document.querySelector("#score .score");
    var clock = document.getElementById("clock");
    var status = document.getElementById("status");
    bar.querySelector("[data-bar-score]").textContent = text(score);
    bar.querySelector("[data-bar-clock]").textContent = text(clock) || text(status);
    bar.classList.toggle("match-bar--live", !!(clock && clock.classList.contains("mh-clock--live")));
  }

  function setUp() {
    var bar = document.querySelector("[data-match-bar]");
    var header = document.querySelector(".match-header");
    if (!bar || !header) return;
    bar.hidden = false;
    mirror(bar);
    document.addEventListener("htmx:oobAfterSwap", function () { mirror(bar); });
    document.addEventListener("htmx:afterSwap", function () { mirror(bar); });
    bar.addEventListener("click", function () { window.scrollTo({top: 0, behavior: "smooth"}); });
    if (!("IntersectionObserver" in window)) return;
    new IntersectionObserver(function (entries) {
      var entry = entries[entries.length - 1];
      // Shown only when the header has gone above the top, not while it is still below the fold.
      document.body.classList.toggle("match-bar-shown", !entry.isIntersecting && entry.boundingClientRect.top < 0);
    }).observe(header);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
