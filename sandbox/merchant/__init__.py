"""The merchant inbox: the merchant's side of FPS, inside the sandbox. A return page any returnURL may
point to, and IPN catchers that keep what they are sent, so a tester needs no server of their own."""

from . import views  # noqa: F401  (registers the routes)
from .blueprint import bp

__all__ = ["bp"]
