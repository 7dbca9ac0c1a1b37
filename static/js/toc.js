// Table of contents scroll spy: marks the link of the section being read.
(function () {
  "use strict";
  var nav = document.getElementById("TableOfContents");
  if (!nav) return;
  // Open beside the text on wide screens; on phones it stays a one-line summary above it.
  var details = document.getElementById("toc-details");
  if (details && window.matchMedia("(min-width: 64rem)").matches) details.open = true;
  var links = Array.prototype.slice.call(nav.querySelectorAll('a[href^="#"]'));
  var targets = links.map(function (link) {
    return document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
  });
  var ticking = false;

  function update() {
    ticking = false;
    var line = window.scrollY + window.innerHeight * 0.33;
    var active = -1;
    targets.forEach(function (target, index) {
      if (target && target.getBoundingClientRect().top + window.scrollY <= line) active = index;
    });
    // At the bottom of the page the last headings never reach the line: trust the hash.
    if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 2 && location.hash) {
      var hashIndex = links.findIndex(function (l) { return l.getAttribute("href") === location.hash; });
      if (hashIndex > active) active = hashIndex;
    }
    links.forEach(function (link, index) {
      link.classList.toggle("active", index === active);
      if (index === active) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    });
  }
  function schedule() {
    if (!ticking) { ticking = true; window.requestAnimationFrame(update); }
  }
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("hashchange", schedule);
  update();
})();
