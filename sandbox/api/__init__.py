"""The signed Query API face: FPS actions at `/`, answered in FPS XML."""

from . import views  # noqa: F401  (registers the route)
from .blueprint import bp

__all__ = ["bp"]
