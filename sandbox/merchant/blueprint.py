"""The merchant inbox's blueprint (its own module, so views import it without a circle)."""

from flask import Blueprint

bp = Blueprint("merchant", "sandbox.merchant", url_prefix="/merchant")
