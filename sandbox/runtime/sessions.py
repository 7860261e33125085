"""Flask's cookie sessions, with the signing serializer built once per secret key instead of
on every request (it showed up as 15% of a Pay's server time in bench/), and a request that sends no
cookie at all (every API client) given its empty session without parsing the headers for one."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._cache: dict[tuple, object] = {}

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._cache:
            self._cache[key] = super().get_signing_serializer(app)
        return self._cache[key]

    def open_session(self, app, request):
        if "HTTP_COOKIE" not in request.environ and app.secret_key:
            return self.session_class()  # what the parent answers for a request without the cookie
        return super().open_session(app, request)
