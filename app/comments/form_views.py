"""Plain HTML forms: comment, reply, edit and delete without JavaScript (post/redirect/get)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from app.comments import bp
from app.comments.api_views import set_author_cookie
from app.comments.edge import (
    check_body_size,
    check_same_origin,
    settings,
    viewer_ids,
)
from app.comments.permalink_views import comment_href
from app.content.urls import escape_path
from app.extensions import db
from app.models import Comment, Page
from app.services.comments import threads as service
from app.services.comments.rules import MAX_ID, CommentError, validate
from app.services.comments.tokens import check_form_token, form_token
from app.web.links import HOME
from app.web.origin import client_ip, secret
from app.web.site import site

FIELDS = ("author", "email", "website", "text", "notify", "subscribe", "parent_id", "url")


def _form_page(status: int, title: str, page: Page | None, **context: object
               ) -> tuple[str, int]:
    """The no-JS comment page; it links back only to a post this site found, else home."""
    return render_template("comments/form_page.html", title=title, page=page,
                           page_url=page.url_path if page is not None else HOME,
                           **context), status


def _published_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id) if 0 < comment_id < MAX_ID else None
    if comment is None or comment.page_id is None or comment.deleted:
        abort(404)
    return comment


@bp.post("/comments")
def post_form() -> BaseResponse | tuple[str, int]:
    """A comment from the plain form: redirect to it, or show the form again with the error."""
    values = {name: request.form.get(name, "") for name in FIELDS}
    page: Page | None = None
    try:
        check_body_size()
        check_same_origin()
        if request.form.get("homepage"):
            raise CommentError(400, "this field must be left empty", "homepage", "honeypot")
        rules = settings()
        entry = validate(request.form, rules)
        page = service.thread_page(db.session, entry.url)
        check_form_token(secret(), request.form.get("form_token"), page.id,
                         rules.min_fill_seconds)
        comment = service.create_comment(db.session, entry, client_ip(), secret(), rules,
                                         page=page, own_ids=viewer_ids(),
                                         article_defaults=site().article_defaults)
    except CommentError as error:
        if page is None and error.code != "csrf":
            page = _thread_or_none(values["url"])
        return _form_page(error.status, "Your comment was not posted", page, error=error,
                          values=values, form_token=form_token(secret(), page.id)
                          if page is not None else "", parent=None)
    # The page of a long thread that shows it (the new comment is the viewer's own).
    href = comment_href(comment.id, viewer_ids() | {comment.id})
    response = redirect(href or escape_path(page.url_path) + f"#comment-{comment.id}", code=303)
    set_author_cookie(response, comment.id)
    return response


def _thread_or_none(url: str) -> Page | None:
    """The post a (possibly bad) form names, when this site has it."""
    try:
        return service.thread_page(db.session, url)
    except CommentError:
        return None


@bp.get("/comments/<int:comment_id>/reply")
def reply_form(comment_id: int) -> tuple[str, int]:
    """A page with the comment being answered and a form to reply to it."""
    parent = _published_comment(comment_id)
    if parent.status != "published":
        abort(404)
    page = service.thread_page(db.session, parent.thread_url)
    return _form_page(200, "Reply", page, parent=parent, values={},
                      form_token=form_token(secret(), page.id), error=None)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_form(comment_id: int) -> BaseResponse | tuple[str, int]:
    """Edit your own comment without JavaScript."""
    comment = _published_comment(comment_id)
    error = None
    if request.method == "POST":
        try:
            check_body_size()
            check_same_origin()
            text = (request.form.get("text") or "").strip()
            if len(text) < settings().min_text:
                raise CommentError(400, "text is required", "text", "required")
            service.edit_comment(db.session, comment_id, viewer_ids(), text, settings())
            href = comment_href(comment_id, viewer_ids())
            return redirect(href or escape_path(comment.thread_url) + f"#comment-{comment_id}",
                            303)
        except CommentError as caught:
            error = caught
    else:
        error = _not_editable(comment_id)
    status = error.status if error else 200
    return render_template("comments/edit_page.html", comment=comment, error=error,
                           mode="edit"), status


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
def delete_form(comment_id: int) -> BaseResponse | tuple[str, int]:
    """Confirm, then delete your own comment without JavaScript."""
    comment = _published_comment(comment_id)
    error = None
    if request.method == "POST":
        try:
            check_same_origin()
            service.delete_comment(db.session, comment_id, viewer_ids(), settings())
            return redirect(escape_path(comment.thread_url) + "#comments", 303)
        except CommentError as caught:
            error = caught
    else:
        error = _not_editable(comment_id)
    status = error.status if error else 200
    return render_template("comments/edit_page.html", comment=comment, error=error,
                           mode="delete"), status


def _not_editable(comment_id: int) -> CommentError | None:
    """Why this reader may not edit or delete the comment now, or None when they may."""
    try:
        service.check_editable(db.session, comment_id, viewer_ids(), settings())
    except CommentError as caught:
        return caught
    return None
