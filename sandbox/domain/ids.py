"""Identifiers in FPS's shapes: 64-character token and instrument IDs, 35-character
transaction IDs starting with "14", and RequestIds (UUID + ":0" on success).

An IdGenerator with a seed is reproducible (tests, screenshots); without one it draws from
the operating system's randomness (token and instrument ids, pipeline secrets: what someone could use if
they guessed it), or, for what only names a call or a transaction (RequestIds, transaction ids), from a
generator the operating system seeds in each server process; either way after a prefix of the time
in milliseconds: a transaction id's first characters after "14" (as real ones look: `14GK6...`, `14GN8...`),
a RequestId's first 48 bits (still a version-4 UUID, as FPS's are). Ids made one after the other then sort
one after the other: each new row goes to the last page of the indexes on them (the transaction id, the
ledger's journal, the request log's RequestId), not to a random page (docs/performance.md).
"""

from __future__ import annotations

import os
import random
import re
import time
import uuid

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ALPHABET_ORDERED = "".join(sorted(ALPHABET))  # base-36 digits in the order text sorts them
_TIME_CHARS = 8  # milliseconds since 1970 in base 36 (36**8 ms: until 2059, then from zero again)
TOKEN_ID_MAX = 65  # FPS allowed 65 characters for a token or instrument id; it made 64
TRANSACTION_ID_MAX = 35
TOKEN_ID_RE = re.compile(rf"[A-Z0-9]{{1,{TOKEN_ID_MAX}}}")
TRANSACTION_ID_RE = re.compile(rf"[A-Z0-9]{{1,{TRANSACTION_ID_MAX}}}")  # use fullmatch
_BASE36 = bytes(ord(ALPHABET[b % 36]) for b in range(256))  # a random byte -> a character (bytes.translate)
# Names, not secrets: a generator seeded from the OS in each process (again after a fork), which does not let
# go of the interpreter as a read of the OS's randomness does (in a request, 5-8 us where a loop sees 0.5)
_NAMES = random.Random()
_V4_BITS = 0x4 << 76 | 0x2 << 62  # a UUID's version (4) and variant (RFC 4122) bits
_V4_MASK = ~(0xF << 76 | 0x3 << 62)
os.register_at_fork(after_in_child=_NAMES.seed)


class IdGenerator:
    """Makes FPS-shaped identifiers; seeded for reproducible runs."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None

    def _chars(self, n: int, secret: bool = True) -> str:
        """`n` random characters of ALPHABET; `secret`: from the OS's randomness (unseeded)."""
        if self._random is None:
            data = os.urandom(n) if secret else _NAMES.getrandbits(8 * n).to_bytes(n)
            return data.translate(_BASE36).decode("ascii")
        return "".join(self._random.choices(ALPHABET, k=n))

    def token_id(self, prefix: str = "") -> str:
        """A 64-character token or instrument id; `prefix` marks its kind for people."""
        return prefix + self._chars(64 - len(prefix))

    def transaction_id(self) -> str:
        """A 35-character transaction id starting with "14", as real ones did (then the time, unseeded)."""
        if self._random is not None:
            return "14" + self._chars(33)
        ms, prefix = time.time_ns() // 1_000_000, ""
        for _ in range(_TIME_CHARS):
            ms, digit = divmod(ms, 36)
            prefix = ALPHABET_ORDERED[digit] + prefix
        return "14" + prefix + self._chars(33 - _TIME_CHARS, secret=False)

    def request_id(self) -> str:
        """A version-4 UUID (the time in its first 48 bits, unseeded)."""
        if self._random is None:
            ms = time.time_ns() // 1_000_000 & (1 << 48) - 1
            h = f"{ms << 80 | _NAMES.getrandbits(80) & _V4_MASK | _V4_BITS:032x}"
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def secret(self, n: int = 32) -> str:
        """A random opaque string (Co-Branded pipeline ids)."""
        return self._chars(n).lower()
