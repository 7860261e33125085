"""Which sandbox a request is in, and each sandbox's services.

The default sandbox is the database DATABASE_URL names. Every other sandbox (a student's) has a
database of its own beside it (runtime/storage.py `sibling`) and services of its own: storage, request
log, ids, clock. A request finds its sandbox by what FPS already had: the Query API by
AWSAccessKeyId, the Co-Branded pages by callerKey, never by a parameter of our own; the console and the
merchant inbox by `?sandbox=name` in their own URLs. The default sandbox's `sandbox_key` table says
which keys belong to which sandbox; a key it does not list belongs to the default sandbox.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select

from ..domain.ids import IdGenerator
from ..models import Sandbox, SandboxKey
from .clock_store import shared_clock
from .request_log import RequestLog
from .services import Services

DEFAULT = "default"
NAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_ROW = select(Sandbox.name, Sandbox.title, Sandbox.lesson, Sandbox.seed, Sandbox.created_at, Sandbox.salt)
KEY_TTL_SECONDS = 2.0  # how long a server trusts that a key is no sandbox's (one made since is found then)


class UnknownSandbox(LookupError):
    """No sandbox has that name (never had one, or it was deleted)."""


@dataclass(frozen=True)
class Registered:
    """A sandbox as the registry lists it."""

    name: str
    title: str
    lesson: str
    seed: str | None
    created_at: datetime
    salt: str = field(repr=False)  # the secret its keys and its student page's address are derived from


class Sandboxes:
    """The sandboxes of one application: the default one's services, and the others' built on first use."""

    def __init__(self, default: Services, seed: str | None = None, own_clocks: bool = True) -> None:
        self.default = default
        self.seed = seed  # FPS_SEED: each sandbox then draws its ids from "<seed>:<name>"
        self.own_clocks = own_clocks  # False when the configuration fixes one clock for all (tests)
        self._built: dict[str, tuple[datetime, Services]] = {}
        self._defaults: dict[str, float] = {}  # keys no sandbox listed, until when that is trusted
        self._lock = threading.Lock()

    def registered(self) -> list[Registered]:
        """Every sandbox beside the default one, by name."""
        with self.default.storage.read() as conn:
            rows = conn.execute(_ROW.order_by(Sandbox.name)).all()
        return [Registered(*row) for row in rows]

    def find(self, name: str) -> Registered | None:
        """The registry's row for `name`, or None."""
        with self.default.storage.read() as conn:
            row = conn.execute(_ROW.where(Sandbox.name == name)).first()
        return Registered(*row) if row else None

    def get(self, name: str | None) -> Services:
        """The services of the sandbox `name` (the default one for None or "default"). Another server may
        have deleted it, so the registry is read every time (the default sandbox is never deleted).

        :raises UnknownSandbox: no sandbox has that name.
        """
        if name in (None, "", DEFAULT):
            return self.default
        found = self.find(name) if NAME_RE.fullmatch(name) else None
        if found is None:
            self.forget(name)
            raise UnknownSandbox(name)
        return self.of(found)

    def of(self, found: Registered) -> Services:
        """The services of the sandbox the registry row `found` describes (built once per creation)."""
        with self._lock:
            built = self._built.get(found.name)
            if built is not None and built[0] == found.created_at:
                return built[1]
            if built is not None and built[1].storage.is_sqlite:  # deleted and made again since
                built[1].storage.engine.dispose()
            storage = self.default.storage.sibling(found.name)
            old = self.default.request_log
            seed = found.seed or (f"{self.seed}:{found.name}" if self.seed is not None else None)
            svc = replace(self.default, storage=storage, ids=IdGenerator(seed), name=found.name, seed=seed,
                          request_log=RequestLog(storage, buffered=old.buffered, durable=old.durable),
                          clock=shared_clock(storage) if self.own_clocks else self.default.clock)
            self._built[found.name] = (found.created_at, svc)
            return svc

    def by_access_key(self, key: str | None) -> Services:
        """The services of the sandbox an access key belongs to; the default sandbox's for a key no sandbox
        lists (where an unknown key is refused as FPS refused it).

        A key of the default sandbox costs a read of the registry every KEY_TTL_SECONDS; a sandbox's key one
        read per request, so that a sandbox another server has just deleted is never served.
        """
        if not key:
            return self.default
        now = time.monotonic()
        if self._defaults.get(key, 0.0) > now:
            return self.default
        with self.default.storage.read() as conn:
            row = conn.execute(_ROW.join(SandboxKey, SandboxKey.sandbox == Sandbox.name)
                               .where(SandboxKey.access_key == key[:64])).first()
        if row is None:
            if len(self._defaults) > 10_000:  # keys anyone may send: never an unbounded cache
                self._defaults.clear()
            self._defaults[key] = now + KEY_TTL_SECONDS
            return self.default
        return self.of(Registered(*row))

    def everyone(self) -> list[Services]:
        """The default sandbox's services and every registered sandbox's (forgetting deleted ones)."""
        found = self.registered()
        names = {row.name for row in found}
        for gone in set(self._built) - names:
            self.forget(gone)
        out = [self.default]
        for row in found:
            built = self._built.get(row.name)
            svc = built[1] if built is not None and built[0] == row.created_at else self.of(row)
            if svc.seen_base_url is None:  # built before this process served a request: where it is reached
                svc.seen_base_url = self.default.seen_base_url
            out.append(svc)
        return out

    def loaded(self) -> list[Services]:
        """The services this process has built so far, the default sandbox's first (no database read)."""
        with self._lock:
            return [self.default, *(svc for _, svc in self._built.values())]

    def forget(self, name: str) -> None:
        """Drop what this process built for `name` (it was deleted or is being reset), closing a SQLite
        sandbox's connections."""
        with self._lock:
            built = self._built.pop(name, None)
        if built is not None and built[1].storage.is_sqlite:
            built[1].storage.engine.dispose()
