"""Comments, the Disqus stand-in: JSON API, plain HTML forms, feeds and moderation."""

from flask import Blueprint

bp = Blueprint("comments", __name__, template_folder="templates")
api = Blueprint("comments_api", __name__, url_prefix="/api")

from app.comments import (  # noqa: E402,F401 - routes register on import
    api_views,
    confirm_views,
    feeds,
    form_views,
    permalink_views,
    stats_views,
    subscription_views,
    unsubscribe_views,
)
