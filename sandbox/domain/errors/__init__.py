"""FPS errors: one exception class per FPS error code (fps-spec.md §6).

A class name equals its FPS code, so `grep InsufficientBalance` finds raise sites, tests and
docs. Classes carry FPS vocabulary only (code, message, retriable); the API face maps codes
to HTTP statuses.
"""

from .base import REGISTRY, FpsError, error_class  # noqa: F401
from .request import *  # noqa: F401,F403
from .accounts import *  # noqa: F401,F403
from .money import *  # noqa: F401,F403
from .tokens import *  # noqa: F401,F403
from .transactions import *  # noqa: F401,F403
