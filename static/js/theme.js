/* Light, dark or the system's choice (Auto), before the first paint.
 *
 * Loaded in <head> without defer so that <html data-theme> is set before the page is drawn (no
 * flash of the wrong colours). The choice is kept in localStorage ("qf-theme": light | dark;
 * nothing stored means Auto, which follows prefers-color-scheme) and resolved here into
 * <html data-scheme="light|dark">, the one attribute the stylesheets' dark palette keys on.
 * The header's button cycles Auto -> Light -> Dark and says what is in force; charts listen
 * for "qf:themechange" to redraw in the new colours.
 *
 * A signed-in reader's choice is on his profile instead (base.html: <html data-user-theme>, so it
 * follows him from device to device); the button then saves it there (POST data-theme-url).
 */
(function () {
  "use strict";

  var KEY = "qf-theme";
  var ORDER = ["auto", "light", "dark"];
  var LABELS = { auto: "Auto", light: "Light", dark: "Dark" };
  var root = document.documentElement;
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
    var saved = root.getAttribute("data-user-theme");
    if (saved !== null) return saved === "light" || saved === "dark" ? saved : "auto";
    try {
      var value = localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : "auto";
    } catch (e) {
      return "auto"; // storage blocked (private mode, file://): follow the system
    }
  }

  function apply(choice) {
    if (choice === "auto") root.removeAttribute("data-theme");
    else root.setAttribute("data-theme", choice);
    var dark = choice === "dark" || (choice === "auto" && system !== null && system.matches);
    root.setAttribute("data-scheme", dark ? "dark" : "light");
  }

  apply(stored());

  function label(button, choice) {
    var text = button.querySelector("[data-theme-label]") || button;
    text.textContent = LABELS[choice];
    button.setAttribute("data-choice", choice);
    button.setAttribute("aria-label", "Colour theme: " + LABELS[choice] + " (change)");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function saveToProfile(choice) {
    root.setAttribute("data-user-theme", choice);
    var url = root.getAttribute("data-theme-url");
    if (!url || !window.fetch) return;
    var body = new URLSearchParams({ theme: choice });
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .catch(function () { /* applied to this page; kept next time the network answers */ });
  }

  function setUp() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    button.hidden = false;
    label(button, stored());
    button.addEventListener("click", function () {
      var next = ORDER[(ORDER.indexOf(stored()) + 1) % ORDER.length];
      if (root.hasAttribute("data-user-theme")) saveToProfile(next);
      else try {
        if (next === "auto") localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, next);
      } catch (e) { /* not kept, but applied to this page */ }
      apply(next);
      label(button, next);
      document.dispatchEvent(new CustomEvent("qf:themechange", { detail: { theme: next } }));
    });
  }

  // The system switching between light and dark redraws charts too, when on Auto.
  if (system !== null && system.addEventListener) {
    system.addEventListener("change", function () {
      if (stored() !== "auto") return;
      apply("auto");
      document.dispatchEvent(new CustomEvent("qf:themechange", { detail: { theme: "auto" } }));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
