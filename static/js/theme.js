/* Light, dark or the system's choice (Auto), before the first paint.
 *
 * Loaded in <head> without defer so that <html data-theme> is set before the page is drawn (no
 * flash of the wrong colours). The choice is kept in localStorage ("qf-theme": light | dark;
 * nothing stored means Auto, which follows prefers-color-scheme) and resolved here into
 * <html data-scheme="light|dark">, the one attribute the stylesheets' dark palette keys on.
 * The header's button cycles Auto -> Light -> Dark and says what is in force; charts listen
 * for "qf:themechange" to redraw in the new colours.
 */
(function () {
  "use strict";

  var KEY = "qf-theme";
  var ORDER = ["auto", "light", "dark"];
  var LABELS = { auto: "Auto", light: "Light", dark: "Dark" };
  var root = document.documentElement;
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
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

  function setUp() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    button.hidden = false;
    label(button, stored());
    button.addEventListener("click", function () {
      var next = ORDER[(ORDER.indexOf(stored()) + 1) % ORDER.length];
      try {
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
