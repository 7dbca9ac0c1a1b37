/* Enhances the server-rendered carousel (a scroll-snap strip that works without JS). */
(function () {
  "use strict";
  var motion = window.matchMedia ? matchMedia("(prefers-reduced-motion: reduce)") : null;
  function reduced() { return !!(motion && motion.matches); }

  function setup(root) {
    var view = root.querySelector(".carousel-viewport");
    var slides = view ? view.querySelectorAll(".carousel-slide") : [];
    if (slides.length < 2 || root.hasAttribute("data-ready")) return;
    root.setAttribute("data-ready", "");
    var dots = root.querySelectorAll(".carousel-indicators a");
    var prev = root.querySelector(".carousel-prev");
    var next = root.querySelector(".carousel-next");
    var toggle = root.querySelector(".carousel-toggle");
    var interval = Math.max(parseInt(root.getAttribute("data-interval"), 10) || 2000, 250);
    var current = -1, target = -1, timer = 0, settle = 0, frame = 0;
    var playing = !reduced(), hover = false, focus = false;

    function step() { return (slides[1].offsetLeft - slides[0].offsetLeft) || view.clientWidth || 1; }

    function mark(i) {
      if (i === current) return;
      current = i;
      root.setAttribute("data-current", String(i));
      for (var k = 0; k < dots.length; k++) {
        if (k === i) dots[k].setAttribute("aria-current", "true");
        else dots[k].removeAttribute("aria-current");
      }
    }

    function sync() {
      frame = 0;
      if (target >= 0) return;  // a scroll we started is still running
      var i = Math.round(Math.abs(view.scrollLeft) / step());
      mark(Math.min(slides.length - 1, Math.max(0, i)));
    }

    function schedule() {
      clearTimeout(timer);
      if (playing && !hover && !focus && !document.hidden) {
        timer = setTimeout(function () { go(current + 1); }, interval);
      }
    }

    function go(i) {
      var n = slides.length;
      i = ((i % n) + n) % n;
      target = i;
      clearTimeout(settle);
      settle = setTimeout(function () { target = -1; sync(); }, 1200);
      view.scrollTo({ left: slides[i].offsetLeft - slides[0].offsetLeft,
                      behavior: reduced() ? "auto" : "smooth" });
      mark(i);
      schedule();
    }

    function setPlaying(on) {
      playing = on;
      if (toggle) {
        toggle.setAttribute("aria-label", on ? "Pause slideshow" : "Play slideshow");
        toggle.setAttribute("data-state", on ? "playing" : "paused");
      }
      schedule();
    }

    [prev, next, toggle].forEach(function (b) { if (b) b.hidden = false; });
    if (prev) prev.addEventListener("click", function () { go(current - 1); });
    if (next) next.addEventListener("click", function () { go(current + 1); });
    if (toggle) toggle.addEventListener("click", function () { setPlaying(!playing); });
    dots.forEach(function (dot, k) {
      dot.addEventListener("click", function (e) { e.preventDefault(); go(k); });
    });

    view.addEventListener("keydown", function (e) {
      var keys = { ArrowLeft: current - 1, ArrowRight: current + 1, Home: 0, End: slides.length - 1 };
      if (!(e.key in keys) || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      go(keys[e.key]);
    });
    view.addEventListener("scroll", function () {
      if (!frame) frame = requestAnimationFrame(sync);
    }, { passive: true });
    view.addEventListener("scrollend", function () {
      clearTimeout(settle);
      target = -1;
      sync();
      schedule();
    });

    root.addEventListener("pointerenter", function (e) {
      if (e.pointerType === "mouse") { hover = true; schedule(); }
    });
    root.addEventListener("pointerleave", function (e) {
      if (e.pointerType === "mouse") { hover = false; schedule(); }
    });
    root.addEventListener("focusin", function (e) {
      focus = e.target !== toggle;  // the pause/play button must not pause by itself
      schedule();
    });
    root.addEventListener("focusout", function (e) {
      if (!root.contains(e.relatedTarget)) { focus = false; schedule(); }
    });
    document.addEventListener("visibilitychange", schedule);
    if (motion && motion.addEventListener) {
      motion.addEventListener("change", function () { if (reduced()) setPlaying(false); });
    }

    mark(0);
    sync();
    setPlaying(playing);
  }

  function init() {
    document.querySelectorAll(".carousel").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
