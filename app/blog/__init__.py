"""The reader-facing blog: home, posts, sections, taxonomies and bundle files."""

from flask import Blueprint

bp = Blueprint("blog", __name__, template_folder="templates")

from app.blog import views  # noqa: E402,F401 - routes register on import
