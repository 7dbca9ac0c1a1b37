"""The moderation page under /admin: a password login, the comment queue, closing posts."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from app.admin.auth import check_hash_setting

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    check_hash_setting(state.app.config)


from app.admin import stats_views, views  # noqa: E402,F401 - routes register on import
