/* Enhances the server-rendered comments: post and reply without a reload, live preview,
   relative times, inline edit/delete of your own comments while the server allows, "Load
   more" for a long thread's next pages, and a #comment-N link that opens N's page. */
(function () {
  "use strict";
  var root = document.getElementById("comments");
  if (!root || !window.fetch) return;
  var form = document.getElementById("comment-form");
  var title = document.getElementById("comments-title");
  var rtf;  // made on first use: building it loads locale data the page may never need
  var UNITS = [["year", 31536e3], ["month", 2592e3], ["week", 604800], ["day", 86400],
               ["hour", 3600], ["minute", 60]];
  var skew = 0;  // server clock minus ours, when they disagree by more than Date's precision

  function now() { return Date.now() + skew; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function button(text, cls) {
    var b = el("button", cls, text);
    b.type = "button";
    return b;
  }

  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch("/api/comments" + path, opts).then(function (res) {
      var off = Date.parse(res.headers.get("Date")) - Date.now();
      if (Math.abs(off) > 2000) skew = off;
      return res.json().catch(function () {
        return { error: "the server answered " + res.status };
      }).then(function (data) { return { ok: res.ok, data: data }; });
    });
  }

  function formatter() {
    if (rtf === undefined) {
      rtf = window.Intl && Intl.RelativeTimeFormat ?
        new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto" }) : null;
    }
    return rtf;
  }

  function relative(time) {
    var t = Date.parse(time.getAttribute("datetime"));
    if (!formatter() || isNaN(t)) return;
    if (!time.title) time.title = time.textContent;
    var s = Math.min(0, (t - now()) / 1000);
    var i = 0;
    while (i < UNITS.length && -s < UNITS[i][1]) i++;
    time.textContent = i < UNITS.length ? rtf.format(Math.round(s / UNITS[i][1]), UNITS[i][0])
                                        : rtf.format(0, "second");
  }

  function relativeAll() { root.querySelectorAll(".comment time[datetime]").forEach(relative); }

  function part(li, sel) { return li.querySelector(":scope > article > " + sel); }

  function count(delta) {
    var span = title && (title.querySelector(".comment-count") || title.appendChild(el("span", "comment-count")));
    if (!span) return;
    var n = (parseInt(span.textContent.slice(1), 10) || 0) + delta;
    span.textContent = n > 0 ? "(" + n + ")" : "";
  }

  function build(c) {
    var li = el("li", "comment" + (c.status === "pending" ? " is-pending" : ""));
    li.id = "comment-" + c.id;
    li.setAttribute("data-id", c.id);
    li.setAttribute("data-depth", c.depth);
    var art = li.appendChild(el("article"));
    art.setAttribute("aria-labelledby", li.id + "-author");
    if (c.deleted) {
      li.classList.add("is-deleted");
      art.appendChild(el("p", "comment-deleted", "This comment was deleted.")).id = li.id + "-author";
      return li;
    }
    var head = art.appendChild(el("header", "comment-header"));
    head.innerHTML = c.avatar || "";  // an identicon drawn by the server
    var name = head.appendChild(el("span", "comment-author", c.website ? "" : c.author));
    name.id = li.id + "-author";
    if (c.website) {
      var a = name.appendChild(el("a", "", c.author));
      a.href = c.website;
      a.rel = "nofollow ugc noopener";
    }
    var link = head.appendChild(el("a", "comment-time"));
    link.href = "#" + li.id;
    var time = link.appendChild(el("time", "", new Date(c.created_at).toLocaleDateString(
      "en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })));
    time.setAttribute("datetime", c.created_at);
    if (c.updated_at) head.appendChild(el("span", "comment-edited", "(edited)"));
    if (c.status === "pending") head.appendChild(el("span", "badge-pending", "Awaiting moderation"));
    art.appendChild(el("div", "comment-body")).innerHTML = c.html;  // sanitized when written
    var foot = art.appendChild(el("footer", "comment-actions"));
    if (c.status === "published") {
      var r = foot.appendChild(el("a", "comment-reply", "Reply"));
      r.href = "/comments/" + c.id + "/reply";
      r.setAttribute("data-reply", c.id);
      r.appendChild(el("span", "visually-hidden", " to " + c.author));
    }
    relative(time);
    return li;
  }

  function place(li, parentId) {
    var parent = parentId && document.getElementById("comment-" + parentId);
    var list = parent ? parent.querySelector(":scope > .comment-replies") : root.querySelector(".comment-list");
    if (!list) {
      list = el("ol", parent ? "comment-replies" : "comment-list");
      var empty = root.querySelector(".comments-empty");
      if (parent) parent.appendChild(list);
      else if (empty) empty.replaceWith(list);
      else title.after(list);
    }
    list.appendChild(li);
  }

  function note(li, text) {
    var p = part(li, ".comment-note");
    if (!p) {
      p = el("p", "comment-note");
      p.setAttribute("role", "alert");
      part(li, ".comment-actions").after(p);
    }
    p.textContent = text;
  }

  // Edit and Delete for a comment this browser wrote, until the edit window closes.
  function own(li, c) {
    if (!c.own || c.deleted || !c.editable_until) return;
    var foot = part(li, ".comment-actions");
    if (!foot) return;
    foot.querySelectorAll(".comment-edit, .comment-delete").forEach(function (a) { a.remove(); });
    var left = Date.parse(c.editable_until) - now();
    if (left <= 0) return;
    var edit = button("Edit", "link-button comment-edit-button");
    var del = button("Delete", "link-button link-danger comment-delete-button");
    foot.append(edit, del);
    setTimeout(function () { edit.remove(); del.remove(); }, Math.min(left, 2e9));
    edit.addEventListener("click", function () { editor(li, c, edit); });
    del.addEventListener("click", function () {
      if (!window.confirm("Delete your comment? This cannot be undone.")) return;
      if (li.contains(form)) cancelReply(false);
      api("DELETE", "/" + c.id).then(function (r) {
        if (!r.ok) return note(li, r.data.error);
        if (c.status === "published") count(-1);
        if (r.data.comment) {
          li.classList.add("is-deleted");
          var art = li.querySelector(":scope > article");
          art.textContent = "";
          art.appendChild(el("p", "comment-deleted", "This comment was deleted.")).id = li.id + "-author";
        } else {
          var list = li.parentNode;
          li.remove();
          if (!list.children.length && list.classList.contains("comment-replies")) list.remove();
        }
        title.tabIndex = -1;
        title.focus();
      }, function () { note(li, "The server could not be reached; please try again."); });
    });
  }

  function editor(li, c, edit) {
    var body = part(li, ".comment-body");
    var box = el("div", "comment-editor");
    var label = box.appendChild(el("label", "visually-hidden", "Edit your comment"));
    var area = box.appendChild(el("textarea"));
    area.id = label.htmlFor = li.id + "-edit";
    area.rows = 5;
    area.value = c.text;
    var actions = box.appendChild(el("div", "form-actions"));
    var save = actions.appendChild(button("Save", "button"));
    var cancel = actions.appendChild(button("Cancel", "button button-secondary"));
    function close() {
      var old = part(li, ".comment-note");
      if (old) old.remove();
      box.remove();
      body.hidden = edit.hidden = false;
      (edit.isConnected ? edit : area).focus();
    }
    body.hidden = edit.hidden = true;
    body.after(box);
    area.focus();
    cancel.addEventListener("click", close);
    box.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    save.addEventListener("click", function () {
      api("PATCH", "/" + c.id, { text: area.value }).then(function (r) {
        if (!r.ok) {
          area.setAttribute("aria-invalid", "true");
          return note(li, r.data.error);
        }
        c.text = r.data.comment.text;
        body.innerHTML = r.data.comment.html;
        var head = part(li, ".comment-header");
        if (!head.querySelector(".comment-edited")) head.appendChild(el("span", "comment-edited", "(edited)"));
        close();
      }, function () { note(li, "The server could not be reached; please try again."); });
    });
  }

  var fields = form && form.elements, errorBox, preview, submit, cancelBtn, home, replyLink, busy;

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach(function (f) {
      f.removeAttribute("aria-invalid");
      f.removeAttribute("aria-describedby");
    });
  }

  function showError(data) {
    clearError();
    errorBox.hidden = false;
    var p = errorBox.appendChild(el("p"));
    p.appendChild(el("strong", "", "Your comment was not posted:"));
    p.append(" " + (data.error || "something went wrong") + ".");
    var field = data.field && fields[data.field];
    if (field && field.type !== "hidden" && !field.closest(".hp-field")) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", errorBox.id);
      field.focus();
    }
  }

  function startReply(link) {
    link.closest(".comment").querySelector(":scope > article").after(form);
    fields.parent_id.value = link.getAttribute("data-reply");
    submit.textContent = "Post reply";
    cancelBtn.hidden = false;
    replyLink = link;
    clearError();
    fields.text.focus();
  }

  function cancelReply(focus) {
    if (!replyLink) return;
    home.after(form);
    fields.parent_id.value = "";
    submit.textContent = "Post comment";
    cancelBtn.hidden = true;
    if (focus) replyLink.focus();
    replyLink = null;
  }

  if (form) {
    errorBox = document.getElementById("comment-form-error");
    preview = document.getElementById("comment-preview");
    submit = form.querySelector("[type=submit]");
    cancelBtn = button("Cancel reply", "button button-secondary");
    cancelBtn.hidden = true;
    submit.after(cancelBtn);
    home = document.createComment(" comment form ");
    form.before(home);
    cancelBtn.addEventListener("click", function () { cancelReply(true); });
    form.addEventListener("keydown", function (e) { if (e.key === "Escape") cancelReply(true); });
    root.addEventListener("click", function (e) {
      var link = e.target.closest("a.comment-reply[data-reply]");
      if (link) { e.preventDefault(); startReply(link); }
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy) return;
      var body = {};
      Array.prototype.forEach.call(fields, function (f) {
        if (f.name) body[f.name] = f.type === "checkbox" ? f.checked : f.value;
      });
      busy = true;
      form.setAttribute("aria-busy", "true");
      api("POST", "", body).then(function (r) {
        if (!r.ok) return showError(r.data);
        clearError();
        var c = r.data.comment, li = build(c);
        place(li, c.parent_id);
        if (c.status === "published") count(1);
        own(li, c);
        fields.text.value = "";
        preview.hidden = true;
        cancelReply(false);
        li.tabIndex = -1;
        li.focus();
      }, function () {
        showError({ error: "the server could not be reached; please try again" });
      }).then(function () {
        busy = false;
        form.removeAttribute("aria-busy");
      });
    });

    var timer = 0, seq = 0;
    fields.text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = fields.text.value, n = ++seq;
        if (text.trim().length < 2) return (preview.hidden = true);
        api("POST", "/preview", { text: text }).then(function (r) {
          if (n !== seq) return;  // a newer preview is on its way
          preview.hidden = !r.ok;
          if (r.ok) preview.innerHTML = r.data.html;  // rendered and sanitized by the server
        }, function () {});
      }, 300);
    });
  }

  // A long thread comes in pages (COMMENTS_PER_PAGE top-level comments with their replies):
  // the server's links reach every page; "Load more" appends the next ones in place.
  var url = root.getAttribute("data-url");
  var shown = parseInt(root.getAttribute("data-page"), 10) || 1;  // the page the server sent
  var last = shown;  // the last page on screen
  var pages = parseInt(root.getAttribute("data-pages"), 10) || 1;
  var more;

  function pageHref(n) { return url + (n > 1 ? "?comments=" + n : ""); }

  // A comment and its replies from the API, unless already on screen (e.g. just posted).
  function graft(c, parentId) {
    var li = document.getElementById("comment-" + c.id);
    if (!li) place(li = build(c), parentId);
    own(li, c);
    (c.replies || []).forEach(function (r) { graft(r, c.id); });
  }

  function loadMore() {
    if (busyMore()) return;
    more.disabled = true;
    more.setAttribute("aria-busy", "true");
    api("GET", "?url=" + encodeURIComponent(url) + "&page=" + (last + 1)).then(function (r) {
      if (!r.ok) return;
      pages = r.data.pages;
      last = r.data.page;
      var first = r.data.comments[0];
      r.data.comments.forEach(function (c) { graft(c); });
      var next = root.querySelector(".comment-pages-next");
      if (next) next.href = pageHref(last + 1) + "#comments";
      if (last >= pages) {
        if (next) next.parentNode.remove();
        more.parentNode.remove();
      }
      var li = first && document.getElementById("comment-" + first.id);
      if (li) { li.tabIndex = -1; li.focus(); }  // where the new comments start
    }, function () {}).then(function () {
      more.disabled = false;
      more.removeAttribute("aria-busy");
    });
  }

  function busyMore() { return more.getAttribute("aria-busy") === "true"; }

  var list = root.querySelector(".comment-list");
  if (list && last < pages) {
    more = button("Load more comments", "button button-secondary comment-more");
    var row = el("p", "comment-more-row");
    row.appendChild(more);
    list.after(row);
    more.addEventListener("click", loadMore);
  }

  // #comment-N that is not on screen: ask which page shows it, and open that page.
  function seek() {
    var m = /^#comment-(\d+)$/.exec(location.hash);
    if (!m || document.getElementById("comment-" + m[1])) return;
    api("GET", "?url=" + encodeURIComponent(url) + "&comment=" + m[1]).then(function (r) {
      if (r.ok && (r.data.page < shown || r.data.page > last)) {
        location.replace(pageHref(r.data.page) + "#comment-" + m[1]);
      }
    }, function () {});
  }
  window.addEventListener("hashchange", seek);
  seek();

  relativeAll();
  setInterval(relativeAll, 30000);

  // Which comments are ours (the author cookie is HttpOnly), and a fresh form token.
  api("GET", "?url=" + encodeURIComponent(url) + (shown > 1 ? "&page=" + shown : "")).then(function (r) {
    if (!r.ok) return;
    if (form && r.data.form_token) fields.form_token.value = r.data.form_token;
    (function walk(list, parentId) {
      list.forEach(function (c) {
        var li = document.getElementById("comment-" + c.id);
        if (c.own && !c.deleted && !li) place(li = build(c), parentId);  // e.g. a stale copy
        if (li) own(li, c);
        walk(c.replies || [], c.id);
      });
    })(r.data.comments || []);
  }, function () {}).then(function () { root.setAttribute("data-enhanced", ""); });
})();
