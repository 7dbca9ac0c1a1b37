// Draws what Blowfish's mermaid, chart and katex shortcodes leave in the page, with the
// libraries from static/vendor (loaded, deferred, before this file and only on pages that use
// them). The page keeps a readable fallback (diagram source, data table, TeX) that this
// replaces. Everything here works under the site's CSP (no inline script or style):
// - chart: the config is JSON in <script type="application/json"> (data, never run);
// - mermaid: its <style> and style="" output are moved into the CSSOM (adopted stylesheets
//   and element.style), which the CSP allows, instead of the markup, which it blocks;
// - katex: auto-render sets its styles through the CSSOM already.
// Colours follow the site's theme (theme.js: data-theme, else the system's), re-drawn when
// it changes.
(function () {
  "use strict";
  var root = document.documentElement;
  var INERT_NS = "urn:x-blog:inert";
  var STYLE_DATA = "data-inline-style";
  var CSS_DATA = "data-inline-css";

  function dark() {
    var chosen = root.getAttribute("data-theme");
    if (chosen === "dark" || chosen === "light") return chosen === "dark";
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function cssVar(el, name, fallback) {
    var value = window.getComputedStyle(el).getPropertyValue(name).trim();
    return value || fallback;
  }

  function siteFont() {
    return window.getComputedStyle(document.body).fontFamily || "sans-serif";
  }

  // ---- constructable stylesheets (allowed by the CSP, unlike <style> elements) ----------

  function adopt(sheet) {
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  }

  function drop(sheets) {
    if (!sheets.length) return;
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter(function (s) {
      return sheets.indexOf(s) < 0;
    });
    sheets.length = 0;
  }

  // ---- Mermaid ---------------------------------------------------------------------------

  var mermaidFigures = [];
  var renderedSheets = [];  // the drawn diagrams' styles
  var serial = 0;

  // A stand-in for a <style> element: an element of no known namespace, so the browser
  // neither applies nor blocks it; whatever text it is given goes to a constructable sheet.
  function inertStyle(createNS, sheets) {
    var el = createNS.call(document, INERT_NS, "style");
    var sheet = new CSSStyleSheet();
    adopt(sheet);
    sheets.push(sheet);
    function sync() {
      try { sheet.replaceSync(el.textContent || ""); } catch (e) { /* leave it empty */ }
    }
    [["innerHTML", Element.prototype], ["textContent", Node.prototype]].forEach(function (p) {
      var desc = Object.getOwnPropertyDescriptor(p[1], p[0]);
      Object.defineProperty(el, p[0], {
        configurable: true,
        get: function () { return desc.get.call(el); },
        set: function (value) { desc.set.call(el, value); sync(); },
      });
    });
    el.appendChild = function (child) { var r = Node.prototype.appendChild.call(el, child); sync(); return r; };
    return el;
  }

  // Markup as the browser serialises it (attributes in double quotes, '"' escaped) with its
  // styles renamed: parsing style="" or <style> is checked by the CSP even in a DOMParser
  // document; a data attribute, and CSS text in a <title data-inline-css>, are not (and
  // DOMPurify keeps both).
  function unstyled(markup) {
    return String(markup).replace(/<[^>]+>/g, function (tag) {
      if (/^<style[\s>]/i.test(tag)) return tag.replace(/^<style/i, "<title " + CSS_DATA);
      if (/^<\/style\s*>$/i.test(tag)) return "</title>";
      return tag.replace(/(\s)style="/g, "$1" + STYLE_DATA + '="');
    });
  }

  // While Mermaid draws (in a scratch element of the live page, to measure text), send its
  // <style> elements and style attributes through the CSSOM; what it parses (DOMPurify
  // sanitising its output) gets its style attributes renamed.
  function throughCssom(draw) {
    var doc = Document.prototype, elem = Element.prototype;
    var create = doc.createElement, createNS = doc.createElementNS, setAttr = elem.setAttribute;
    var parse = DOMParser.prototype.parseFromString;
    var scratch = [];
    DOMParser.prototype.parseFromString = function (markup, type) {
      return parse.call(this, unstyled(markup), type);
    };
    doc.createElement = function (name) {
      if (String(name).toLowerCase() === "style") return inertStyle(createNS, scratch);
      return create.apply(this, arguments);
    };
    doc.createElementNS = function (ns, name) {
      if (String(name).toLowerCase() === "style") return inertStyle(createNS, scratch);
      return createNS.apply(this, arguments);
    };
    elem.setAttribute = function (name, value) {
      if (String(name).toLowerCase() === "style" && this.style) {
        this.style.cssText = String(value);
        return undefined;
      }
      return setAttr.apply(this, arguments);
    };
    function restore() {
      doc.createElement = create;
      doc.createElementNS = createNS;
      elem.setAttribute = setAttr;
      DOMParser.prototype.parseFromString = parse;
      drop(scratch);
    }
    return Promise.resolve().then(draw).then(function (result) {
      restore();
      return result;
    }, function (error) {
      restore();
      throw error;
    });
  }

  // The SVG markup Mermaid returns, as nodes of this page: parsed inert, its <style> text
  // into a constructable sheet and its style attributes set through element.style.
  function svgNodes(markup) {
    var parsed = new DOMParser().parseFromString(unstyled(markup), "text/html");
    var svg = parsed.body.querySelector("svg");
    if (!svg) return null;
    var css = [];
    Array.prototype.slice.call(svg.querySelectorAll("[" + CSS_DATA + "]")).forEach(function (style) {
      css.push(style.textContent);
      style.remove();
    });
    var styled = [];
    var selector = "[" + STYLE_DATA + "]";
    Array.prototype.slice.call(svg.querySelectorAll(selector)).concat(
      svg.matches(selector) ? [svg] : []).forEach(function (el) {
      styled.push([el, el.getAttribute(STYLE_DATA)]);
      el.removeAttribute(STYLE_DATA);
    });
    svg = document.adoptNode(svg);
    styled.forEach(function (pair) { pair[0].style.cssText = pair[1]; });
    if (css.length) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css.join("\n"));
      adopt(sheet);
      renderedSheets.push(sheet);
    }
    return svg;
  }

  function mermaidSetup() {
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      suppressErrorRendering: true,
      theme: dark() ? "dark" : "default",
      fontFamily: siteFont(),
    });
  }

  function drawMermaid() {
    if (!window.mermaid || !mermaidFigures.length) return Promise.resolve();
    mermaidSetup();
    var old = renderedSheets.slice();
    renderedSheets.length = 0;
    return mermaidFigures.reduce(function (done, figure) {
      return done.then(function () {
        var source = figure.querySelector(".sc-mermaid-source");
        var id = "sc-mermaid-" + (++serial);
        return throughCssom(function () {
          return window.mermaid.render(id, source.textContent);
        }).then(function (result) {
          var svg = svgNodes(result.svg);
          if (!svg) return;
          var drawn = figure.querySelector(".sc-mermaid-drawn");
          if (!drawn) {
            drawn = document.createElement("div");
            drawn.className = "sc-mermaid-drawn";
            figure.insertBefore(drawn, source);
          }
          drawn.replaceChildren(svg);
          source.hidden = true;
          var caption = figure.querySelector("figcaption");
          if (caption) caption.hidden = true;
          figure.classList.add("sc-drawn");
        }, function (error) {
          // Not a diagram Mermaid can draw: the source stays, as without JavaScript.
          var scratch = document.getElementById("d" + id);
          if (scratch) scratch.remove();
          if (window.console) window.console.warn("mermaid:", error && error.message);
        });
      });
    }, Promise.resolve()).then(function () { drop(old); });
  }

  // ---- Chart.js --------------------------------------------------------------------------

  var chartFigures = [];
  var ROUND = { pie: true, doughnut: true, polarArea: true };

  function hasColour(obj) {
    return obj && (obj.backgroundColor !== undefined || obj.borderColor !== undefined);
  }

  function withAlpha(colour, alpha) {
    return /^#[0-9a-f]{6}$/i.test(colour) ? colour + alpha : colour;
  }

  // Datasets without colours of their own get the theme's (--chart-1 ... --chart-6).
  function themed(config, figure) {
    var palette = [];
    for (var i = 1; i <= 6; i++) palette.push(cssVar(figure, "--chart-" + i, "#0e6ba8"));
    var background = cssVar(figure, "--bg", "#ffffff");
    var datasets = (config.data && config.data.datasets) || [];
    datasets.forEach(function (set, n) {
      if (!set || typeof set !== "object" || hasColour(set)) return;
      var type = set.type || config.type;
      if (ROUND[type]) {
        set.backgroundColor = (set.data || []).map(function (_, j) {
          return palette[j % palette.length];
        });
        set.borderColor = background;
      } else {
        var colour = palette[n % palette.length];
        set.borderColor = colour;
        set.backgroundColor = withAlpha(colour, type === "line" ? "33" : "99");
      }
    });
    return config;
  }

  function chartDefaults(figure) {
    var Chart = window.Chart;
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
    if (still && still.matches) Chart.defaults.animation = false;
    Chart.defaults.color = cssVar(figure, "--muted", "#57534e");
    Chart.defaults.font.family = siteFont();
    Chart.defaults.scale.grid.color = cssVar(figure, "--border", "#e7e5e4");
    Chart.defaults.scale.border.color = cssVar(figure, "--border", "#e7e5e4");
  }

  function drawCharts() {
    if (!window.Chart) return;
    chartFigures.forEach(function (figure) {
      var script = figure.querySelector("script.sc-chart-config");
      var holder = figure.querySelector(".sc-chart-canvas");
      var canvas = holder && holder.querySelector("canvas");
      var config;
      try { config = JSON.parse(script.textContent); } catch (e) { return; }
      if (!canvas || !config || typeof config !== "object") return;
      chartDefaults(figure);
      if (figure.chart) figure.chart.destroy();
      holder.hidden = false;
      holder.classList.toggle("sc-chart-round", !!ROUND[config.type]);
      try {
        figure.chart = new window.Chart(canvas, themed(config, figure));
      } catch (e) {
        holder.hidden = true;  // not a config Chart.js can draw: the table stays
        if (window.console) window.console.warn("chart:", e && e.message);
        return;
      }
      // The data table stays for screen readers (the canvas is only "Bar chart" to them),
      // out of sight; the config goes.
      var fallback = figure.querySelector(".sc-chart-fallback");
      if (fallback && fallback.querySelector("table")) {
        fallback.classList.add("visually-hidden");
        var source = fallback.querySelector(".sc-chart-source");
        if (source) source.hidden = true;
      } else if (fallback) {
        fallback.hidden = true;
      }
      figure.classList.add("sc-drawn");
    });
  }

  // ---- KaTeX -----------------------------------------------------------------------------

  function drawMaths() {
    if (!window.renderMathInElement || !window.katex) return;
    var areas = document.querySelectorAll(".prose");
    (areas.length ? Array.prototype.slice.call(areas) : [document.body]).forEach(function (el) {
      window.renderMathInElement(el, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "\\[", right: "\\]", display: true },
          { left: "\\(", right: "\\)", display: false },
        ],
        throwOnError: false,
      });
    });
  }

  // ---- start, and follow the theme -------------------------------------------------------

  // One Mermaid pass at a time: each swaps the page's prototypes while it draws.
  var mermaidQueue = Promise.resolve();

  function redraw() {
    drawCharts();
    mermaidQueue = mermaidQueue.then(drawMermaid, drawMermaid);
    return mermaidQueue;
  }

  function start() {
    mermaidFigures = Array.prototype.slice.call(document.querySelectorAll("figure[data-mermaid]"));
    chartFigures = Array.prototype.slice.call(document.querySelectorAll("figure[data-chart]"));
    drawMaths();
    redraw();
    var wasDark = dark();
    function follow() {
      if (dark() === wasDark) return;
      wasDark = dark();
      redraw();
    }
    new MutationObserver(follow).observe(root, { attributes: true, attributeFilter: ["data-theme"] });
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", follow);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
