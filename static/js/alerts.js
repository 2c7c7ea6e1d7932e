/* Alerts about what the signed-in reader follows, on every page.
 *
 * base.html loads this only for a signed-in reader and marks <body data-user-stream="/ws/me/">.
 * The stream (accounts/consumers.py) sends toasts as hx-swap-oob fragments aimed at #alerts;
 * they are put there, announced (the container is aria-live polite), dismissable, and gone
 * after a while. When the socket drops it reconnects with backoff, asking for what came after
 * the last alert shown (?after=<id>). With the reader's permission each alert is also a browser
 * notification; the profile page's "Turn on notifications" button asks for it.
 */
(function () {
  "use strict";

  var SHOWN_MS = 12000;
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 30000;
  var lastId = 0;
  var retryMs = RETRY_MIN_MS;

  function container() { return document.getElementById("alerts"); }

  function notify(toast) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return; // the toast is enough
    try {
      var note = new Notification(toast.getAttribute("data-title"), {
        body: toast.getAttribute("data-body") || "", tag: "qf-alert-" + toast.getAttribute("data-alert-id")
      });
      note.onclick = function () { window.focus(); window.location.href = toast.getAttribute("data-url"); };
    } catch (e) { /* some browsers notify only from a service worker: the toast stays */ }
  }

  function show(toast) {
    var id = parseInt(toast.getAttribute("data-alert-id"), 10) || 0;
    if (id > lastId) lastId = id;
    if (document.getElementById(toast.id)) return; // delivered twice
    container().appendChild(toast);
    notify(toast);
    window.setTimeout(function () { dismiss(toast); }, SHOWN_MS);
  }

  function dismiss(toast) {
    if (toast.parentNode) toast.parentNode.removeChild(toast);
  }

  function receive(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var targets = holder.content.querySelectorAll("[hx-swap-oob]");
    for (var i = 0; i < targets.length; i++) {
      // a paper portfolio's live block (trading): replaces the one on this page, if it is here
      var live = targets[i].hasAttribute("data-live-portfolio") && document.getElementById(targets[i].id);
      if (live) { live.replaceWith(targets[i]); continue; }
      var toasts = targets[i].querySelectorAll(".alert-toast");
      for (var j = 0; j < toasts.length; j++) show(toasts[j]);
    }
  }

  function connect(path) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + path + (lastId ? "?after=" + lastId : "");
    var socket;
    try { socket = new WebSocket(url); } catch (e) { return retry(path); }
    socket.addEventListener("open", function () { retryMs = RETRY_MIN_MS; });
    socket.addEventListener("message", function (event) { receive(event.data); });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401) return; // signed out meanwhile: nothing to reconnect to
      retry(path);
    });
  }

  function retry(path) {
    var wait = retryMs * (0.75 + Math.random() / 2); // jittered: a restarted server is not hit all at once
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    window.setTimeout(function () { connect(path); }, wait);
  }

  function setUpNotificationsButton() {
    var button = document.querySelector("[data-ask-notifications]");
    var state = document.querySelector("[data-notifications-state]");
    if (!button) return;
    function say() {
      if (!("Notification" in window)) {
        if (state) state.textContent = "This browser cannot show notifications; alerts appear on the page.";
        return;
      }
      button.hidden = Notification.permission !== "default";
      if (!state) return;
      if (Notification.permission === "granted") state.textContent = "Notifications are on.";
      else if (Notification.permission === "denied") state.textContent = "Notifications are blocked in this browser's settings.";
      else state.textContent = "";
    }
    button.addEventListener("click", function () {
      var asked = Notification.requestPermission(say);
      if (asked && asked.then) asked.then(say);
    });
    say();
  }

  function setUp() {
    document.addEventListener("click", function (event) {
      var close = event.target.closest && event.target.closest("[data-dismiss-alert]");
      if (close) dismiss(close.closest(".alert-toast"));
    });
    setUpNotificationsButton();
    var path = document.body.getAttribute("data-user-stream");
    if (path && container() && "WebSocket" in window) connect(path);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
