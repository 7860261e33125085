"""Jinja filters for FPS values: amounts in FPS's six-decimal form, dates in ISO 8601."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from .domain.money import display, fps_value


def fps_date(value: datetime | None, precise: bool = False) -> str:
    """2026-11-22T16:20:00.123Z (UTC with milliseconds; microseconds when `precise`)."""
    if value is None:
        return ""
    fraction = f"{value.microsecond:06d}" if precise else f"{value.microsecond // 1000:03d}"
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + fraction + "Z"


def register(app: Flask) -> None:
    app.add_template_filter(fps_value, "fps_value")
    app.add_template_filter(fps_date, "fps_date")
    app.add_template_filter(display, "money")
    app.context_processor(lambda: {"sandbox_now": app.extensions["fps_sandbox"].clock.now()})
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
