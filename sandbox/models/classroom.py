"""The classroom's tables: the sandboxes of one installation, their callers' access keys, and named
snapshots.

`sandbox` and `sandbox_key` are read in the default sandbox's database only (runtime/sandboxes.py); every
sandbox's database holds a `snapshot` table of its own. All three are KEPT: a reset of a sandbox and a
restored snapshot leave their rows alone, and a snapshot does not contain them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

KEPT = {"kept": True}  # Table.info of the tables that resets and snapshots leave alone


class Sandbox(Base):
    """A sandbox of its own (a student's): its name, what it was loaded from, its seed for reproducible ids."""

    __tablename__ = "sandbox"
    __table_args__ = {"info": KEPT}
    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # lower-case letters, digits, '-'
    title: Mapped[str] = mapped_column(String(80))  # as the teacher typed it ("Ada Lovelace")
    lesson: Mapped[str] = mapped_column(String(64))  # "demo" (the demo world) or a snapshot's name
    seed: Mapped[str | None] = mapped_column(String(64))  # ids and timestamps reproducible when set
    salt: Mapped[str] = mapped_column(String(64))  # its callers' keys are derived from it (runtime/classroom.py)
    created_at: Mapped[datetime]


class SandboxKey(Base):
    """Which sandbox an access key belongs to: the Query API and the Co-Branded pages find a sandbox by the
    caller's key (FPS had no parameter for it). Keys of the default sandbox are not listed."""

    __tablename__ = "sandbox_key"
    __table_args__ = (Index("ix_sandbox_key_sandbox", "sandbox"), {"info": KEPT})
    access_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    sandbox: Mapped[str] = mapped_column(ForeignKey("sandbox.name", ondelete="CASCADE"))


class Snapshot(Base):
    """A named snapshot of one sandbox's whole state, as JSON (runtime/snapshots.py): in the database, so
    every server sees it."""

    __tablename__ = "snapshot"
    __table_args__ = {"info": KEPT}
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    saved_at: Mapped[datetime]
    revision: Mapped[str] = mapped_column(String(32))  # the schema revision that saved it
    rows: Mapped[int]
    body: Mapped[str] = mapped_column(Text)  # {"saved_at", "schema", "tables": {...}}
