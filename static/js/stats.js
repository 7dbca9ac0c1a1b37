// Views and likes (Blowfish's showViews / showLikes), counted by this server.
// The page is the same for every reader (so it stays cached); this script counts the view
// (POST /api/views), reads the numbers (GET /api/stats) and shows them, and toggles the
// like (POST /api/likes) with a random token this browser keeps in localStorage. Without
// JavaScript nothing is counted or shown.
(function () {
  "use strict";
  var TOKEN_KEY = "blog-like-token";
  var LIKED_KEY = "blog-liked";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function likeToken() {
    var store = storage();
    var token = store && store.getItem(TOKEN_KEY);
    if (token && /^[A-Za-z0-9_-]{16,64}$/.test(token)) return token;
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    token = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    if (store) store.setItem(TOKEN_KEY, token);
    return token;
  }

  function likedSet() {
    var store = storage();
    try { return JSON.parse((store && store.getItem(LIKED_KEY)) || "{}") || {}; }
    catch (e) { return {}; }
  }

  function remember(url, liked) {
    var store = storage();
    if (!store) return;
    var all = likedSet();
    if (liked) all[url] = 1; else delete all[url];
    store.setItem(LIKED_KEY, JSON.stringify(all));
  }

  function postJSON(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || response.statusText);
        return data;
      });
    });
  }

  function show(url, kind, value) {
    document.querySelectorAll('[data-stat="' + kind + '"]').forEach(function (el) {
      if (el.getAttribute("data-stat-url") !== url || typeof value !== "number") return;
      el.querySelector(".stat-n").textContent = String(value);
      el.hidden = false;
    });
  }

  function setButton(button, liked) {
    button.setAttribute("aria-pressed", liked ? "true" : "false");
    button.classList.toggle("liked", liked);
  }

  var stats = document.querySelectorAll("[data-stat-url]");
  var buttons = document.querySelectorAll("[data-like-url]");
  if (!stats.length && !buttons.length) return;

  var urls = [];
  stats.forEach(function (el) {
    var url = el.getAttribute("data-stat-url");
    if (urls.indexOf(url) < 0) urls.push(url);
  });

  var viewed = document.querySelector("[data-count-view]");
  var counted = viewed
    ? postJSON("/api/views", { url: viewed.getAttribute("data-stat-url") })
        .catch(function () { return null; })
    : Promise.resolve(null);

  counted.then(function () {
    if (!urls.length) return;
    var query = urls.map(function (u) { return "url=" + encodeURIComponent(u); }).join("&");
    return fetch("/api/stats?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { stats: {} }; })
      .then(function (data) {
        Object.keys(data.stats || {}).forEach(function (url) {
          show(url, "views", data.stats[url].views);
          show(url, "likes", data.stats[url].likes);
        });
      });
  }).catch(function () { /* counts are extras: the page works without them */ });

  var liked = likedSet();
  buttons.forEach(function (button) {
    var url = button.getAttribute("data-like-url");
    setButton(button, !!liked[url]);
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      postJSON("/api/likes", { url: url, token: likeToken() }).then(function (data) {
        remember(url, data.liked);
        setButton(button, data.liked);
        show(url, "likes", data.likes);
      }).catch(function () { /* rate limited or offline: the button stays as it was */ })
        .then(function () { button.disabled = false; });
    });
  });
})();
