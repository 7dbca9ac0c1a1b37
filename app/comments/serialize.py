"""Comments as JSON: what readers may see, never an email or a hash of one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.models import Comment
from app.render.identicon import identicon_svg
from app.services.comments.threads import ThreadNode


def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def comment_json(comment: Comment, own: bool = False, edit_window: int = 0) -> dict[str, Any]:
    """One comment for the API."""
    body: dict[str, Any] = {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "reply_to_id": comment.reply_to_id,
        "depth": comment.depth,
        "status": comment.status,
        "deleted": comment.deleted,
        "author": None if comment.deleted else comment.author,
        "website": None if comment.deleted else comment.website,
        "html": comment.text_html,
        "avatar": None if comment.deleted else identicon_svg(comment.author_key),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "own": own,
    }
    if own and not comment.deleted:
        body["text"] = comment.text_md
        body["editable_until"] = iso(comment.created_at + timedelta(seconds=edit_window))
    return body


def thread_json(nodes: list[ThreadNode], edit_window: int) -> list[dict[str, Any]]:
    """A nested thread for the API."""
    return [
        {**comment_json(node.comment, node.own, edit_window),
         "replies": thread_json(node.replies, edit_window)}
        for node in nodes
    ]
