"""The signed Query API face: FPS actions at `/`, answered in FPS XML."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import views  # noqa: E402,F401  (registers the route)
