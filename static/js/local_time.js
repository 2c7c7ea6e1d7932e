/* Dates and times in the reader's own time zone, with the zone named.
 *
 * The server writes <time datetime="2021-06-11T19:00:00Z" data-local="datetime|day|date|time">
 * (matches/templatetags/local_time.py) in the site's zone; this rewrites the text in the
 * browser's zone: "Sat 12 Jun 2021, 04:00 JST". The year is left out only within about six
 * months of today, as on the server. Fragments pushed later (htmx out-of-band swaps from the
 * socket or from polling) are rewritten as they arrive.
 *
 * A signed-in reader who chose a time zone on his profile gets that one instead of the
 * browser's: base.html writes it as <html data-zone="Europe/Rome">.
 */
(function () {
  "use strict";

  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var RECENT_MS = 183 * 24 * 3600 * 1000;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The profile's zone when it is one this browser knows; otherwise the browser's own (undefined).
  var ZONE = (function () {
    var zone = document.documentElement.getAttribute("data-zone");
    if (!zone) return undefined;
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone });
      return zone;
    } catch (e) {
      return undefined;
    }
  })();

  // The wall-clock fields of a moment in ZONE (the browser's own zone: the Date's local fields).
  function fields(when) {
    if (!ZONE) {
      return { year: when.getFullYear(), month: when.getMonth(), day: when.getDate(), weekday: when.getDay(),
               hours: when.getHours(), minutes: when.getMinutes() };
    }
    var parts = new Intl.DateTimeFormat("en-US", {
      timeZone: ZONE, year: "numeric", month: "numeric", day: "numeric", weekday: "short",
      hour: "numeric", minute: "numeric", hourCycle: "h23"
    }).formatToParts(when);
    var found = {};
    for (var i = 0; i < parts.length; i++) found[parts[i].type] = parts[i].value;
    return { year: +found.year, month: +found.month - 1, day: +found.day, weekday: WEEKDAYS.indexOf(found.weekday),
             hours: +found.hour % 24, minutes: +found.minute };
  }

  function zoneIn(locale, when) {
    try {
      var options = { timeZoneName: "short" };
      if (ZONE) options.timeZone = ZONE;
      var parts = new Intl.DateTimeFormat(locale, options).formatToParts(when);
      for (var i = 0; i < parts.length; i++) {
        if (parts[i].type === "timeZoneName") return parts[i].value;
      }
    } catch (e) { /* an unknown locale: try the next */ }
    return "";
  }

  // The zone's short name. Each locale knows the abbreviations of its own region (en-GB: BST,
  // CEST; en-US: EDT, PDT), so ask the reader's language first, then those, and fall back to
  // the offset ("GMT+9") that every locale gives.
  function zoneName(when) {
    var locales = [navigator.language, "en-GB", "en-US"];
    var fallback = "";
    for (var i = 0; i < locales.length; i++) {
      if (!locales[i]) continue;
      var name = zoneIn(locales[i], when);
      if (!fallback) fallback = name;
      if (name && !/^(GMT|UTC)[+\u2212-]/.test(name)) return name;
    }
    return fallback;
  }

  function dateText(when, local, weekday, now) {
    var text = local.day + " " + MONTHS[local.month];
    if (Math.abs(when - now) > RECENT_MS) text += " " + local.year;
    return weekday ? WEEKDAYS[local.weekday] + " " + text : text;
  }

  function text(when, format, now) {
    var local = fields(when);
    var clock = pad(local.hours) + ":" + pad(local.minutes) + " " + zoneName(when);
    if (format === "time") return clock;
    if (format === "date") return dateText(when, local, false, now);
    if (format === "day") return dateText(when, local, true, now);
    return dateText(when, local, true, now) + ", " + clock;
  }

  function localise(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var times = scope.querySelectorAll("time[data-local]");
    var now = new Date();
    for (var i = 0; i < times.length; i++) {
      var element = times[i];
      var when = new Date(element.getAttribute("datetime"));
      if (isNaN(when)) continue;
      element.textContent = text(when, element.getAttribute("data-local"), now);
      // The site's zone stays one hover away, for anyone comparing with a printed fixture list.
      element.title = when.toISOString().slice(0, 16).replace("T", " ") + " UTC";
    }
  }

  window.qfLocalTime = { localise: localise, text: text };

  // A pushed or polled fragment is new markup with the server's text: rewrite it too. An
  // out-of-band swap replaces its target, so the whole page is looked at (a few dozen elements).
  ["htmx:oobAfterSwap", "htmx:afterSettle", "htmx:wsAfterMessage"].forEach(function (name) {
    document.addEventListener(name, function () { localise(document); });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { localise(document); });
  } else {
    localise(document);
  }
})();
