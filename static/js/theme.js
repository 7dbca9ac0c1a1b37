// Theme: the reader's choice (light or dark), else the site's default, applied before the
// first paint. Loaded in <head> without defer on purpose: it only sets an attribute, so
// nothing flashes. <html data-default-theme> is the site's default (base.html, from
// Blowfish's defaultAppearance and autoSwitchAppearance): "system" follows the reader's
// system (the CSS media query), "light" or "dark" is also rendered as data-theme.
(function () {
  "use strict";
  var KEY = "theme";
  var root = document.documentElement;
  var site = root.getAttribute("data-default-theme") || "system";
  var stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { /* storage may be blocked */ }
  if (stored === "light" || stored === "dark") root.setAttribute("data-theme", stored);

  // Following the system, the button offers three modes; with a fixed default, two.
  var NEXT = site === "system" ? { system: "dark", dark: "light", light: "system" }
                               : { dark: "light", light: "dark" };
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
      var mode = NEXT[current()] || "dark";
      if (mode === "system") root.removeAttribute("data-theme");
      else root.setAttribute("data-theme", mode);
      try {
        // Back at the site's default, nothing is kept: a new default applies again.
        if (mode === site) localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, mode);
      } catch (e) { /* the choice then lasts for this page only */ }
      show(button);
    });
  });
})();
