"""The FpsError base class and the registry of codes it fills (every subclass registers itself)."""

from __future__ import annotations


class FpsError(Exception):
    """Base of every FPS error; `message` may use {placeholders} filled from keyword args."""

    code = "InternalError"
    message = "An internal error occurred. Please retry the request."
    retriable = True

    def __init__(self, message: str | None = None, **fmt: object) -> None:
        text = message if message is not None else self.message.format(**fmt)
        super().__init__(text)
        self.message = text

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__
        REGISTRY[cls.code] = cls


REGISTRY: dict[str, type[FpsError]] = {}


def error_class(code: str) -> type[FpsError]:
    """The exception class for an FPS error code (KeyError if the sandbox does not know it)."""
    return REGISTRY[code]
