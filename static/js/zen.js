// Zen mode (Blowfish's showZenMode, assets/js/zen-mode.js): the button in the post header
// toggles `zen-mode-enable` on <body>, and site.css then hides everything but the article's
// title and text (site header and navigation, table of contents, series box, comments,
// footer...). As in Blowfish the state is not remembered: every visit starts in the normal
// view. Entering scrolls to the article's title, leaving to the top; Escape leaves too.
(function () {
  "use strict";
  var button = document.getElementById("zen-mode-button");
  if (!button) return;
  var body = document.body;
  var title = document.querySelector(".post-header h1");

  function set(on, scroll) {
    body.classList.toggle("zen-mode-enable", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.title = on ? button.dataset.titleDisable : button.dataset.titleEnable;
    if (!scroll) return;
    if (on && title) {
      window.scrollTo(window.scrollX, title.getBoundingClientRect().top + window.scrollY - 16);
    } else if (!on) {
      window.scrollTo(window.scrollX, 0);
    }
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    set(!body.classList.contains("zen-mode-enable"), true);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && body.classList.contains("zen-mode-enable")) {
      set(false, false);
      button.focus();
    }
  });
  set(false, false);
  button.hidden = false;
})();
