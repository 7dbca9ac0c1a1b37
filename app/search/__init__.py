"""Site search: the results page and its JSON variant."""

from flask import Blueprint

bp = Blueprint("search", __name__, template_folder="templates")

from app.search import views  # noqa: E402,F401 - routes register on import
