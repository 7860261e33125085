"""The Host header: a malformed one is refused at the door (400), and the console answers only the
host names it is configured for, so a page on another origin that resolves its own name to this
machine (DNS rebinding) cannot read the console or post to it."""

from __future__ import annotations

import re
import uuid

from ..domain.text import xml_safe

# host[:port]: a DNS name (labels of 1-63 letters, digits, '-' or '_'; 253 characters at most), an IPv4
# address, or an IPv6 address in brackets.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST_RE = re.compile(rf"(?:(?P<name>{_LABEL}(?:\.{_LABEL})*\.?)|\[(?P<ipv6>[0-9A-Fa-f:.]{{2,45}})\])(?::(?P<port>[0-9]{{1,5}}))?")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def split_host(header: str) -> tuple[str, int | None] | None:
    """(host name in lower case without brackets, port) of a Host header; None if it is malformed."""
    match = _HOST_RE.fullmatch(header)
    if match is None or (match["name"] and len(match["name"]) > 253):
        return None
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 0 < port < 65536:
        return None
    return (match["name"] or match["ipv6"]).lower().rstrip("."), port


def allowed_hosts(setting: str | None) -> frozenset[str] | None:
    """The console's host names: the loopback names and those of FPS_ADMIN_HOSTS (comma-separated; '*'
    for any name: None)."""
    names = [n.strip().lower().strip("[]") for n in (setting or "").split(",") if n.strip()]
    if "*" in names:
        return None
    return frozenset([*LOOPBACK_NAMES, *names])


def console_host_allowed(header: str, allowed: frozenset[str] | None) -> bool:
    """Whether the console may answer a request addressed to this Host header (any port)."""
    if allowed is None:
        return True
    parts = split_host(header)
    return parts is not None and parts[0] in allowed


class HostCheck:
    """WSGI middleware: a request whose Host header is malformed gets a 400 before Flask sees it
    (Werkzeug would fail to build URLs for it). The Query API's root answers in FPS XML."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        header = environ.get("HTTP_HOST")
        if header is None or split_host(header) is not None:
            return self.app(environ, start_response)
        shown = xml_safe(header[:80]).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if environ.get("PATH_INFO", "/") == "/":
            body = ('<?xml version="1.0"?>\n<Response><Errors><Error><Code>InvalidParams</Code><Message>The Host '
                    f'header ({shown}) is not a valid host name.</Message></Error></Errors>'
                    f'<RequestID>{uuid.uuid4()}</RequestID></Response>')
            content_type = "text/xml; charset=utf-8"
        else:
            body = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad request</title></head>'
                    f'<body><h1>Bad request</h1><p>The Host header ({shown}) is not a valid host name.</p></body></html>')
            content_type = "text/html; charset=utf-8"
        data = body.encode("utf-8")
        start_response("400 Bad Request", [("Content-Type", content_type), ("Content-Length", str(len(data)))])
        return [data]
