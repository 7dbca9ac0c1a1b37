"""Site search: the results page and its JSON variant, per language."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

bp = Blueprint("search", __name__, template_folder="templates")


class LanguageCodeConverter(BaseConverter):
    """A path segment shaped like a language code (`fr`, `pt-br`, `zh-hans`): /notes/search
    never reaches search. Whether the site has that language is the view's to check."""

    regex = r"[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,2}"


@bp.record_once
def _converters(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["lang_code"] = LanguageCodeConverter


from app.search import views  # noqa: E402,F401 - routes register on import
