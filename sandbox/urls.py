"""URL checks shared by the faces (returnURL, OverrideIPNURL, notification URLs)."""

from __future__ import annotations

from urllib.parse import urlsplit


def valid_http_url(url: str | None) -> bool:
    """An absolute http(s) URL with a host, no fragment, no spaces or control characters."""
    if not url or len(url) > 2048 or any(ord(c) < 33 for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.fragment
