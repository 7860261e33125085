"""Identifiers in FPS's shapes: 64-character token and instrument IDs, 35-character
transaction IDs starting with "14", and RequestIds (UUID + ":0" on success).

An IdGenerator with a seed is reproducible (tests, screenshots); without one it draws from
the operating system's randomness, which is what several server workers need.
"""

from __future__ import annotations

import os
import random
import re
import uuid

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TOKEN_ID_MAX = 65  # FPS allowed 65 characters for a token or instrument id; it made 64
TRANSACTION_ID_MAX = 35
TOKEN_ID_RE = re.compile(rf"[A-Z0-9]{{1,{TOKEN_ID_MAX}}}")
TRANSACTION_ID_RE = re.compile(rf"[A-Z0-9]{{1,{TRANSACTION_ID_MAX}}}")  # use fullmatch


class IdGenerator:
    """Makes FPS-shaped identifiers; seeded for reproducible runs."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None

    def _chars(self, n: int) -> str:
        if self._random is None:  # one read of the OS's randomness per id, not one per character
            return "".join(ALPHABET[b % 36] for b in os.urandom(n))
        return "".join(self._random.choices(ALPHABET, k=n))

    def token_id(self, prefix: str = "") -> str:
        """A 64-character token or instrument id; `prefix` marks its kind for people."""
        return prefix + self._chars(64 - len(prefix))

    def transaction_id(self) -> str:
        """A 35-character transaction id starting with "14", as real ones did."""
        return "14" + self._chars(33)

    def request_id(self) -> str:
        if self._random is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def secret(self, n: int = 32) -> str:
        """A random opaque string (Co-Branded pipeline ids)."""
        return self._chars(n).lower()
