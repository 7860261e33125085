"""Jinja filters for FPS values: amounts in FPS's six-decimal form, dates in ISO 8601."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from .domain.money import display, fps_value


def fps_date(value: datetime | None) -> str:
    """2026-11-22T16:20:00.123Z (UTC with milliseconds)."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def register(app: Flask) -> None:
    app.add_template_filter(fps_value, "fps_value")
    app.add_template_filter(fps_date, "fps_date")
    app.add_template_filter(display, "money")
    app.context_processor(lambda: {"sandbox_now": app.extensions["fps_sandbox"].clock.now()})
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
