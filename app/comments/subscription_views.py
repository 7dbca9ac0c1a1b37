"""Thread subscriptions: the small form under a thread, its JSON twin, and the mailed links
(confirm, unsubscribe: a page that asks, and the POST that acts; RFC 8058 one-click)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, render_template, request

from app.comments import api, bp
from app.comments.api_views import json_body
from app.comments.edge import check_body_size, check_same_origin, settings
from app.extensions import db
from app.models import Page
from app.services.comments import subscriptions
from app.services.comments import threads as service
from app.services.comments.rules import MAX_ID, CommentError
from app.services.comments.tokens import check_form_token, form_token
from app.web.origin import client_ip, secret
from app.web.site import site

_TOKEN_CHARS = frozenset("0123456789abcdef")
TEMPLATE = "comments/subscription.html"


def _valid_shape(subscription_id: int, token: str) -> bool:
    return 0 < subscription_id < MAX_ID and len(token) == 32 and set(token) <= _TOKEN_CHARS


def _subscribe(data: Mapping[str, Any]) -> Page:
    """Check and store a request (form or JSON); the post it follows."""
    rules = settings()
    entry = subscriptions.validate(data, rules)
    page = service.thread_page(db.session, entry.url)
    check_form_token(secret(), data.get("form_token"), page.id, rules.min_fill_seconds)
    subscriptions.subscribe(db.session, page, entry.email, client_ip(), secret(), rules,
                            site().article_defaults)
    return page


@bp.post("/comments/subscribe")
def subscribe_form() -> tuple[str, int]:
    """The no-JS form: a page saying a confirmation link is on its way, or the form again
    with the error naming its field."""
    values = {name: request.form.get(name, "") for name in ("url", "email")}
    try:
        check_body_size()
        check_same_origin()
        page = _subscribe(request.form)
    except CommentError as error:
        page = None
        if error.code != "csrf":
            try:
                page = service.thread_page(db.session, values["url"])
            except CommentError:
                page = None
        return render_template(
            TEMPLATE, state="form", page=page, error=error, values=values,
            form_token=form_token(secret(), page.id) if page is not None else ""
        ), error.status
    return render_template(TEMPLATE, state="requested", page=page, email=values["email"]), 200


@api.post("/comments/subscriptions")
def subscribe_api() -> tuple[Response, int]:
    """Ask for a thread's digests: 202, whether or not the address was subscribed already."""
    page = _subscribe(json_body())
    return jsonify({"url": page.url_path, "status": "confirmation_sent"}), 202


@bp.get("/comments/subscriptions/<int:subscription_id>/<any(confirm, unsubscribe):action>/"
        "<token>")
def subscription_link_page(subscription_id: int, action: str, token: str) -> tuple[str, int]:
    """Ask before acting: mail scanners follow links, only a POST confirms or unsubscribes."""
    ok = _valid_shape(subscription_id, token)
    return render_template(TEMPLATE, state=f"{action}-ask" if ok else "bad"), 200 if ok else 404


@bp.post("/comments/subscriptions/<int:subscription_id>/confirm/<token>")
def confirm_subscription(subscription_id: int, token: str) -> tuple[str, int]:
    """Start the digests (the token, mailed only to the address, is the proof)."""
    row = (subscriptions.confirm(db.session, secret(), subscription_id, token)
           if _valid_shape(subscription_id, token) else None)
    if row is None:
        return render_template(TEMPLATE, state="bad"), 404
    return render_template(TEMPLATE, state="confirmed", thread_url=row.thread_url), 200


@bp.post("/comments/subscriptions/<int:subscription_id>/unsubscribe/<token>")
def unsubscribe_subscription(subscription_id: int, token: str) -> tuple[str, int]:
    """End the subscription (RFC 8058 one-click: the token is the proof, no Origin needed)."""
    gone = (subscriptions.unsubscribe(db.session, secret(), subscription_id, token)
            if _valid_shape(subscription_id, token) else None)
    if gone is None:
        return render_template(TEMPLATE, state="bad"), 404
    email, thread_url = gone
    return render_template(TEMPLATE, state="unsubscribed", email=email,
                           thread_url=thread_url), 200
