"""URL checks shared by the faces (returnURL, OverrideIPNURL, notification URLs) and the route
converter for table keys."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter


def valid_http_url(url: str | None) -> bool:
    """An absolute http(s) URL with a host a redirect can name (IDNA), no fragment, no spaces or
    control characters (C1 included)."""
    if not url or len(url) > 2048 or any(ord(c) < 33 or 0x7F <= ord(c) <= 0x9F for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        if parts.hostname:
            parts.hostname.encode("idna")  # as Werkzeug does for a Location header: UnicodeError for a bad label
    except (ValueError, UnicodeError):
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.fragment


def valid_notification_url(url: str | None) -> bool:
    """A caller's notification URL: an absolute http(s) URL, or a path on this sandbox (its merchant inbox,
    "/merchant/ipn/<name>")."""
    if url and url.startswith("/"):
        return not url.startswith("//") and valid_http_url("http://sandbox" + url)
    return valid_http_url(url)


MAX_ROW_ID = 2**63 - 1


class RowId(IntegerConverter):
    """A table's key in a URL: 1 up to the largest 64-bit integer (a larger one would not reach the
    database as a number, so the route does not match: 404)."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)
