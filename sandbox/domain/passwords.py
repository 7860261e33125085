"""Password hashing for demo logins (PBKDF2-SHA256 from the standard library)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

_ITERATIONS = 100_000


def hash_password(password: str, salt: str | None = None) -> str:
    """A storable "pbkdf2_sha256$iterations$salt$hex" string."""
    return _hash(password, salt or secrets.token_hex(8))


@lru_cache(maxsize=64)  # reseeding the demo world hashes the same logins again
def _hash(password: str, salt: str) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _ITERATIONS).hex()
    return f"pbkdf2_sha256${_ITERATIONS}${salt}${digest}"


def check_password(stored: str, password: str) -> bool:
    """True when `password` matches the stored hash."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)
