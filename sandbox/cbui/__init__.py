"""The Co-Branded UI face: the pages a buyer clicks through to authorize a caller."""

from . import views  # noqa: F401  (registers the routes)
from .blueprint import bp

__all__ = ["bp"]
