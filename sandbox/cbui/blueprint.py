"""The Co-Branded pages' blueprint (its own module, so views import it without a circle)."""

from flask import Blueprint

bp = Blueprint("cbui", "sandbox.cbui", url_prefix="/cobranded-ui")
