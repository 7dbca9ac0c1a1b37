// Table of contents: open beside the text on wide screens; with Blowfish's smartTOC (the
// aside's data-smart-toc) a scroll spy marks the entry of the section being read and a bar
// shows how far the reader is through the page.
(function () {
  "use strict";
  var nav = document.getElementById("TableOfContents");
  if (!nav) return;
  // Open beside the text on wide screens; on phones it stays a one-line summary above it.
  var details = document.getElementById("toc-details");
  if (details && window.matchMedia("(min-width: 64rem)").matches) details.open = true;
  var aside = nav.closest("[data-smart-toc]");
  if (!aside) return;

  var hideChildren = aside.hasAttribute("data-smart-toc-hide-children");
  var links = Array.prototype.slice.call(nav.querySelectorAll('a[href^="#"]'));
  var targets = links.map(function (link) {
    return document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
  });
  var LINE = 0.33; // Blowfish's SCROLL_OFFSET_RATIO: a section is read once its heading passes it
  var ticking = false;
  var current = -2;

  // The reading progress bar: a <progress> fixed at the top of the window.
  var progress = document.createElement("progress");
  progress.className = "reading-progress";
  progress.max = 100;
  progress.value = 0;
  progress.setAttribute("aria-label", aside.getAttribute("data-progress-label") || "Reading progress");
  // Inside <main>: every part of the page belongs to a landmark (it is fixed to the top).
  (document.querySelector("main") || document.body).appendChild(progress);

  function atBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
  }

  function activeIndex() {
    var line = window.scrollY + window.innerHeight * LINE;
    var active = -1;
    targets.forEach(function (target, index) {
      if (target && target.getBoundingClientRect().top + window.scrollY <= line) active = index;
    });
    // At the bottom of the page the last headings never reach the line: trust the hash.
    if (atBottom() && location.hash) {
      var hashIndex = links.findIndex(function (l) { return l.getAttribute("href") === location.hash; });
      if (hashIndex > active) active = hashIndex;
    }
    // Above the first heading Blowfish marks the first entry.
    return active < 0 && links.length ? 0 : active;
  }

  function mark() {
    var active = activeIndex();
    if (active === current) return;
    current = active;
    links.forEach(function (link, index) {
      var on = index === active;
      link.classList.toggle("active", on);
      if (on) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    });
    if (hideChildren) {
      // smartTOCHideUnfocusedChildren: only the active entry's branch stays unfolded.
      Array.prototype.forEach.call(nav.querySelectorAll("li ul"), function (list) {
        var owner = list.parentElement.querySelector("a");
        var open = list.contains(links[active]) || owner === links[active];
        list.classList.toggle("toc-folded", !open);
      });
    }
  }

  function measure() {
    ticking = false;
    var scrollable = document.documentElement.scrollHeight - window.innerHeight;
    progress.value = scrollable > 0 ? Math.min(100, Math.round(window.scrollY / scrollable * 100)) : 100;
    mark();
  }

  function schedule() {
    if (!ticking) { ticking = true; window.requestAnimationFrame(measure); }
  }

  if ("IntersectionObserver" in window) {
    // A heading crossing the reading line (a third down the window) without a scroll:
    // images above it loading, a <details> opening, zen mode changing the layout.
    var observer = new IntersectionObserver(function () { mark(); },
      { rootMargin: "0px 0px -" + Math.round((1 - LINE) * 100) + "% 0px" });
    targets.forEach(function (target) { if (target) observer.observe(target); });
  }
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule, { passive: true });
  window.addEventListener("hashchange", mark, { passive: true });
  mark();
  measure();
})();
