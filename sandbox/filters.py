"""Jinja filters for FPS values (amounts in FPS's six-decimal form, dates in ISO 8601) and the globals
every page has: the sandbox clock's time, the sandbox a page is in, the sandboxes to switch to."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from markupsafe import Markup, escape

from .domain.money import display, fps_value
from .runtime.routing import current_name, sandboxes
from .runtime.sandboxes import DEFAULT
from .runtime.services import services


def fps_date(value: datetime | None, precise: bool = False) -> str:
    """2026-11-22T16:20:00.123Z (UTC with milliseconds; microseconds when `precise`)."""
    if value is None:
        return ""
    fraction = f"{value.microsecond:06d}" if precise else f"{value.microsecond // 1000:03d}"
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + fraction + "Z"


def sandbox_field() -> Markup:
    """A GET form's hidden ?sandbox= field, so a filter keeps to the sandbox the page is in."""
    name = current_name()
    return Markup("") if name == DEFAULT else Markup(f'<input type="hidden" name="sandbox" value="{escape(name)}">')


def register(app: Flask) -> None:
    app.add_template_filter(fps_value, "fps_value")
    app.add_template_filter(fps_date, "fps_date")
    app.add_template_filter(display, "money")
    app.context_processor(lambda: {"sandbox_now": services().clock.now()})
    app.add_template_global(current_name, "sandbox_here")
    app.add_template_global(sandbox_field, "sandbox_field")
    app.add_template_global(lambda: sandboxes().registered(), "sandbox_choices")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
