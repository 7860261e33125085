"""The Co-Branded UI face: the pages a buyer clicks through to authorize a caller."""

from flask import Blueprint

bp = Blueprint("cbui", __name__, url_prefix="/cobranded-ui")

from . import views  # noqa: E402,F401
