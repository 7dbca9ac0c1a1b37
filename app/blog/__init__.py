"""The reader-facing blog: home, posts, sections, taxonomies and bundle files."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import PathConverter

bp = Blueprint("blog", __name__, template_folder="templates")


class SitePathConverter(PathConverter):
    """Any path except the API's: /api/... belongs to the JSON API, even when nothing matches."""

    regex = r"(?!api(?:/|$))[^/].*?"


@bp.record_once
def _converters(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["site_path"] = SitePathConverter

from app.blog import navigation, views  # noqa: E402,F401 - routes register on import
