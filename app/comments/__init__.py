"""Comments, the Disqus stand-in: JSON API, plain HTML forms, feeds and moderation."""

from flask import Blueprint

bp = Blueprint("comments", __name__, template_folder="templates")
api = Blueprint("comments_api", __name__, url_prefix="/api")

from app.comments import api_views, feeds, form_views, unsubscribe_views  # noqa: E402,F401 - routes register on import
