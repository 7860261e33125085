"""The merchant inbox's blueprint (its own module, so views import it without a circle)."""

from flask import Blueprint

from ..runtime.routing import route_named

bp = Blueprint("merchant", "sandbox.merchant", url_prefix="/merchant")
bp.before_request(route_named)  # the sandbox named in ?sandbox= (runtime/routing.py)
