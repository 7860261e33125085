"""A class's sandboxes: created from a roster in one step, each loaded from a lesson (the demo world or a
saved snapshot), reset to it, or deleted.

Each sandbox's callers get access keys and secrets of their own, derived from the sandbox's salt and the
account's e-mail, so a reset gives back the same keys (the student's code keeps working) and no two
sandboxes share one. The demo logins (john@example.com, ...) repeat in every sandbox.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain.clock import utcnow
from ..models import Account, Sandbox, SandboxKey
from ..queries import accounts
from . import snapshots, world
from .sandboxes import DEFAULT, NAME_RE, Registered, Sandboxes, UnknownSandbox
from .services import Services

DEMO = "demo"  # the lesson that is the demo world itself
MAX_TITLE = 80
KEY_PREFIX = "AKSB"  # a sandbox caller's access key: AKSB + 16 letters and digits (20, as AWS keys)


class RosterError(ValueError):
    """A roster that cannot be created as given; `problems` says each thing wrong, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Student:
    name: str  # the sandbox's name: lower-case letters, digits and '-'
    title: str  # as typed


def slug(title: str) -> str:
    """A sandbox name from what a teacher typed: "Ada Lovelace" -> "ada-lovelace"."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-")


def parse_roster(typed: str, csv_text: str = "") -> list[Student]:
    """Students from typed lines (a whole line is a name) and a CSV file (its first column; a header "name"
    is skipped).

    :raises RosterError: no names, a name that makes no sandbox name, a name twice, a reserved name.
    """
    lines = [(f"line {n}", line.strip()) for n, line in enumerate(typed.replace("\x00", "").splitlines(), 1)]
    for n, row in enumerate(csv.reader(io.StringIO(csv_text.replace("\x00", ""))), start=1):
        first = next((cell.strip() for cell in row if cell.strip()), "")
        if not (n == 1 and first.lower() in ("name", "names", "student")):
            lines.append((f"CSV row {n}", first))
    problems, found, seen = [], [], {}
    for where, title in lines:
        if not title:
            continue
        name = slug(title)
        if len(title) > MAX_TITLE:
            problems.append(f"{where}: a name is at most {MAX_TITLE} characters")
        elif not NAME_RE.fullmatch(name):
            problems.append(f"{where}: {title[:40]!r} has no letter or digit to name a sandbox by")
        elif name == DEFAULT:
            problems.append(f"{where}: 'default' is the name of the sandbox everyone shares")
        elif name in seen:
            problems.append(f"{where}: {title!r} makes the same sandbox name ({name}) as {seen[name]}")
        else:
            seen[name] = where
            found.append(Student(name, title))
    if not found and not problems:
        problems.append("the roster has no names: type one per line, or upload a CSV file with names in its "
                        "first column")
    if problems:
        raise RosterError(problems)
    return found


def lessons(default: Services) -> list[str]:
    """What a sandbox can be loaded from: the demo world, the default sandbox's snapshots, the shipped lessons."""
    return [DEMO, *[name for name, _ in snapshots.listing(default.storage)],
            *[name for name, _ in snapshots.shipped()]]


def create(boxes: Sandboxes, students: list[Student], lesson: str, fixture: dict, limit: int,
           seed: str | None = None) -> list[Registered]:
    """Create a sandbox per student, each loaded from `lesson`; answers them.

    :raises RosterError: too many, a name already taken, or a lesson there is none of. Nothing is
        created then; a sandbox that fails while loading is removed again, and the error raised.
    """
    document = None if lesson == DEMO else _lesson(boxes.default, lesson)
    taken = {row.name for row in boxes.registered()}
    problems = [f"{s.title!r}: there is already a sandbox named {s.name}" for s in students if s.name in taken]
    if len(taken) + len(students) > limit:
        problems.append(f"{len(students)} more sandboxes would make {len(taken) + len(students)}; this sandbox "
                        f"allows {limit} (FPS_MAX_SANDBOXES)")
    if problems:
        raise RosterError(problems)
    made = []
    for student in students:
        row = _claim(boxes, student, lesson, seed)
        try:
            _load(boxes, row, fixture, document, fresh=True)
        except Exception:
            delete_sandbox(boxes, row.name)
            raise
        made.append(row)
    return made


def _lesson(default: Services, lesson: str) -> dict:
    try:
        return snapshots.document(default.storage, lesson)
    except ValueError as exc:
        raise RosterError([f"lesson {lesson[:64]!r}: {exc}"]) from None


def _claim(boxes: Sandboxes, student: Student, lesson: str, seed: str | None) -> Registered:
    """Write the registry's row first, so two servers creating one name cannot both go on."""
    now = utcnow()
    salt = hashlib.sha256(f"{seed}|{student.name}".encode()).hexdigest() if seed else secrets.token_hex(32)
    try:
        with boxes.default.storage.write() as conn:
            conn.execute(insert(Sandbox).values(name=student.name, title=student.title, lesson=lesson, seed=seed,
                                                salt=salt, created_at=now))
    except IntegrityError:
        raise RosterError([f"{student.title!r}: there is already a sandbox named {student.name}"]) from None
    return Registered(student.name, student.title, lesson, seed, now, salt)


def _load(boxes: Sandboxes, row: Registered, fixture: dict, document: dict | None, fresh: bool = False) -> None:
    """Load the sandbox's database with its lesson and give its callers their keys; `fresh` first throws
    away what a sandbox of that name left behind (its snapshots too)."""
    boxes.forget(row.name)
    svc = boxes.get(row.name)
    if fresh:
        svc.storage.destroy()
    svc.storage.create_schema()
    with svc.storage.write() as conn:
        world.reset(conn, fixture, svc.clock.now())
    if document is not None:
        snapshots.restore_document(svc.storage, document)
    _rekey(boxes, row)


def _rekey(boxes: Sandboxes, row: Registered) -> None:
    """Give every caller of the sandbox its own keys (from its salt), and list them in the registry."""
    name, svc = row.name, boxes.of(row)
    keys = []
    with svc.storage.write() as conn:
        for pk, email, ipn_url in conn.execute(select(Account.id, Account.email, Account.ipn_url)
                                               .where(Account.access_key.is_not(None))).all():
            access_key, secret = derived_keys(row.salt, email)
            conn.execute(update(Account).where(Account.id == pk).values(
                access_key=access_key, secret_key=secret, ipn_url=_in_sandbox(ipn_url, name)))
            keys.append(access_key)
    with boxes.default.storage.write() as conn:
        conn.execute(delete(SandboxKey).where(SandboxKey.sandbox == name))
        if keys:
            conn.execute(insert(SandboxKey), [{"access_key": key, "sandbox": name} for key in keys])
    boxes.forget(name)


def derived_keys(salt: str, email: str) -> tuple[str, str]:
    """A caller's access key and secret in a sandbox: the same for the same salt and e-mail."""
    digest = hmac.new(salt.encode(), f"key|{email}".encode(), hashlib.sha256).digest()
    access_key = KEY_PREFIX + base64.b32encode(digest).decode()[:16]
    secret = base64.b64encode(hmac.new(salt.encode(), f"secret|{email}".encode(), hashlib.sha256).digest()
                              ).decode()[:40]
    return access_key, secret


def page_key(row: Registered) -> str:
    """The secret in the address of a sandbox's read-only student page (from its salt, so every server and
    every reset agree; a new sandbox of the same name gets another)."""
    return hmac.new(row.salt.encode(), b"student-page", hashlib.sha256).hexdigest()[:32]


def _in_sandbox(url: str | None, name: str) -> str | None:
    """The demo callers notify the merchant inbox: in a sandbox, its own (`?sandbox=name`)."""
    if not url or not url.startswith("/merchant/"):
        return url
    return url + ("&" if "?" in url else "?") + f"sandbox={name}"


def reset(boxes: Sandboxes, name: str, fixture: dict) -> tuple[str, int]:
    """Load the sandbox again from its lesson (the default sandbox: the demo world), its keys as before;
    answers the lesson's name and how many accounts it has now.

    :raises UnknownSandbox: there is none of that name.
    :raises RosterError: its lesson is a snapshot that has since been deleted.
    """
    if name == DEFAULT:
        with boxes.default.storage.write() as conn:
            return DEMO, len(world.reset(conn, fixture, boxes.default.clock.now()))
    row = boxes.find(name)
    if row is None:
        raise UnknownSandbox(name)
    document = None if row.lesson == DEMO else _lesson(boxes.default, row.lesson)
    _load(boxes, row, fixture, document)
    with boxes.get(name).storage.read() as conn:
        return row.lesson, conn.execute(select(func.count(Account.id))).scalar_one()


def delete_sandbox(boxes: Sandboxes, name: str) -> bool:
    """Delete a sandbox and everything in it; answers whether there was one. Its keys stop working at once,
    on every server (runtime/sandboxes.py reads the registry for every request in a sandbox)."""
    if name in (None, "", DEFAULT):
        raise ValueError("the default sandbox cannot be deleted (reset it instead)")
    try:
        storage = boxes.get(name).storage
    except UnknownSandbox:
        return False
    with boxes.default.storage.write() as conn:
        conn.execute(delete(SandboxKey).where(SandboxKey.sandbox == name))
        gone = conn.execute(delete(Sandbox).where(Sandbox.name == name)).rowcount > 0
    boxes.forget(name)
    storage.destroy()
    return gone


def delete_all(boxes: Sandboxes) -> int:
    """Delete every sandbox but the default one; answers how many."""
    return sum(delete_sandbox(boxes, row.name) for row in boxes.registered())


def callers(svc: Services) -> list:
    """A sandbox's callers with their keys (id, name, access_key, secret_key), for the roster."""
    with svc.storage.read() as conn:
        return accounts.callers(conn)


def buyers(svc: Services) -> list[tuple[str, str]]:
    """A sandbox's buyers that can sign in: (name, e-mail)."""
    with svc.storage.read() as conn:
        return [tuple(row) for row in conn.execute(
            select(Account.name, Account.email).where(Account.access_key.is_(None), Account.password.is_not(None))
            .order_by(Account.id)).all()]
