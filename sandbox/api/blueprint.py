"""The Query API's blueprint (its own module, so views import it without a circle)."""

from flask import Blueprint

bp = Blueprint("api", "sandbox.api")
