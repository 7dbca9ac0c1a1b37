// Theme: the reader's choice (light, dark, or the system's), applied before the first paint.
// Loaded in <head> without defer on purpose: it only sets an attribute, so nothing flashes.
(function () {
  "use strict";
  var KEY = "theme";
  var root = document.documentElement;
  var stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { /* storage may be blocked */ }
  if (stored === "light" || stored === "dark") root.setAttribute("data-theme", stored);

  var NEXT = { system: "dark", dark: "light", light: "system" };
  var LABEL = { system: "Theme: system", dark: "Theme: dark", light: "Theme: light" };

  function current() { return root.getAttribute("data-theme") || "system"; }

  function show(button) {
    var mode = current();
    // The page's language may name the modes (data-label-system, ... on the button).
    var label = button.getAttribute("data-label-" + mode) || LABEL[mode];
    button.querySelector(".theme-toggle-label").textContent = label;
    button.setAttribute("aria-label", label + " (" + (button.getAttribute("data-label-change")
      || "change theme") + ")");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    button.hidden = false;
    show(button);
    button.addEventListener("click", function () {
      var mode = NEXT[current()];
      if (mode === "system") root.removeAttribute("data-theme");
      else root.setAttribute("data-theme", mode);
      try {
        if (mode === "system") localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, mode);
      } catch (e) { /* the choice then lasts for this page only */ }
      show(button);
    });
  });
})();
