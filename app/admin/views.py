"""Admin pages: login, the moderation queue with bulk actions, closing posts to comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as Redirect

from app.admin import bp
from app.admin.auth import (
    check_csrf,
    count_login_attempt,
    csrf_token,
    enabled,
    is_admin,
    log_in,
    log_out,
    password_matches,
)
from app.extensions import db
from app.services.comments import moderation, queue, spam_store
from app.services.comments.rules import CommentError
from app.web.links import local_path

STATUSES = queue.STATUSES
QUEUE_LIMIT = 200
RECENT_POSTS = 20
MAX_IDS = 1000
MAX_ID = 2**31  # ids are INTEGER columns: 32 bits on PostgreSQL
DONE = {"approve": "Approved", "spam": "Marked as spam", "delete": "Deleted"}
PUBLIC_ENDPOINTS = ("admin.login",)


@bp.before_request
def _gate() -> Redirect | None:
    if not enabled():
        abort(404)
    if request.endpoint in PUBLIC_ENDPOINTS or is_admin():
        return None
    if request.method in ("GET", "HEAD"):
        target = after_login(request.full_path)
        return redirect(url_for("admin.login", next=target if target != url_for("admin.index")
                                else None), 303)
    abort(403, "log in to do this")


@bp.after_request
def _never_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.vary.add("Cookie")
    return response


@bp.errorhandler(403)
def _forbidden(error: HTTPException) -> tuple[str, int]:
    message = str(error.description or "request refused")
    message = message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
    return render_template("admin/error.html", title="Request refused", message=message), 403


@bp.context_processor
def _admin_context() -> dict[str, object]:
    return {"admin_csrf_token": csrf_token, "admin_logged_in": is_admin}


def _redirect(target: str) -> Redirect:
    return redirect(target, 303)


def after_login(value: object) -> str:
    """Where a login goes next: the admin page `value` names, if it is one; else the queue.

    Only a path this site routes to an admin page is kept, rebuilt from what it resolved
    to (the queue and its known status), so a `next` can never lead anywhere else.
    """
    path = local_path(value)
    if path is not None:
        parts = urlsplit(path)
        try:
            endpoint, _ = current_app.url_map.bind("").match(parts.path, method="GET")
        except HTTPException:
            endpoint = None
        status = parse_qs(parts.query).get("status", [""])[0]
        if endpoint == "admin.index" and status in STATUSES:
            return url_for("admin.index", status=status)
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Redirect | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The password form; rate-limited per client network before the password is checked."""
    if request.method == "GET":
        target = after_login(request.args.get("next"))
        if is_admin():
            return _redirect(target)
        return render_template("admin/login.html", error=None, next=target), 200
    check_csrf()
    allowed, retry_after = count_login_attempt()
    if not allowed:
        until = datetime.now(UTC) + timedelta(seconds=retry_after)
        minutes = max(1, -(-retry_after // 60))
        message = (f"Too many login attempts from your network. Try again in {minutes} "
                   f"minute{'s' if minutes != 1 else ''} (after {until:%H:%M} UTC).")
        return (render_template("admin/error.html", title="Too many attempts", message=message),
                429, {"Retry-After": str(retry_after)})
    target = after_login(request.form.get("next"))
    if not password_matches(request.form.get("password", "")):
        return render_template("admin/login.html", error="Wrong password.", next=target), 401
    log_in()
    flash("You are logged in.", "success")
    return _redirect(target)


@bp.post("/logout")
def logout() -> Redirect:
    """End the admin session (and any other open admin session)."""
    check_csrf()
    log_out()
    flash("You are logged out.", "success")
    return _redirect(url_for("admin.login"))


@bp.get("/")
def index() -> tuple[str, int]:
    """The moderation queue (?status=pending|published|spam, ?sort=score|date) and the posts."""
    status = request.args.get("status", "pending")
    if status not in STATUSES:
        status = "pending"
    sort = request.args.get("sort", "score")
    if sort not in moderation.SORTS:
        sort = "score"
    comments = moderation.queue(db.session, status, sort, QUEUE_LIMIT)
    titles = queue.page_titles(db.session, {c.page_id for c in comments if c.page_id is not None})
    return render_template("admin/index.html", status=status, statuses=STATUSES, sort=sort,
                           comments=comments, titles=titles,
                           counts=queue.status_counts(db.session), limit=QUEUE_LIMIT,
                           posts=queue.posts(db.session, RECENT_POSTS), recent=RECENT_POSTS,
                           spam_model=spam_store.progress(db.session)), 200


@bp.post("/comments")
def bulk() -> Redirect:
    """Approve, mark as spam or delete the selected comments."""
    check_csrf()
    status = request.form.get("status", "pending")
    sort = request.form.get("sort")
    back = url_for("admin.index", status=status if status in STATUSES else "pending",
                   sort=sort if sort in moderation.SORTS else None)
    action = request.form.get("action", "")
    ids = sorted({i for i in request.form.getlist("ids", type=int) if 0 < i < MAX_ID})[:MAX_IDS]
    if action not in moderation.ACTIONS:
        flash("Choose Approve, Spam or Delete.", "error")
    elif not ids:
        flash("Select at least one comment first.", "error")
    else:
        found = moderation.moderate(db.session, ids, action)
        missing = len(ids) - found
        flash(f"{DONE[action]}: {found} comment{'s' if found != 1 else ''}."
              + (f" {missing} no longer existed." if missing else ""), "success")
    return _redirect(back)


@bp.post("/posts/close")
def close_post() -> Redirect:
    """Close a post to new comments (closed=1) or open it again (closed=0)."""
    check_csrf()
    url = request.form.get("url", "").strip()
    closed = request.form.get("closed")
    back = url_for("admin.index") + "#posts"
    if closed not in ("0", "1") or not url.startswith("/") or "\x00" in url or len(url) > 1024:
        flash("Give a post URL (starting with /) and whether to close or reopen it.", "error")
        return _redirect(back)
    try:
        page = moderation.set_closed(db.session, url, closed == "1")
    except CommentError as error:
        flash(f"Nothing changed: {error.message}.", "error")
        return _redirect(back)
    state = "closed to new comments" if page.comments_closed else "open to comments again"
    flash(f"“{page.title or page.url_path}” is {state}.", "success")
    return _redirect(back)
