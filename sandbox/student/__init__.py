"""A student's own page: their sandbox's keys, coverage checklist and latest requests, read-only, at an
address with a secret in it (runtime/classroom.py `page_key`), so it can be handed out without the console's
password and shows nothing of any other sandbox."""

from . import views  # noqa: F401  (registers the routes)
from .views import bp

__all__ = ["bp"]
