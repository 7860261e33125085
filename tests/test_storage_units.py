"""A write admitted on its read's connection (runtime/storage.py: `write(on=...)`, as the Query API does):
one pool checkout, and still one real transaction that commits or rolls back as a whole."""

from datetime import datetime

import pytest
from sqlalchemy import insert, select

from sandbox.models import SandboxMeta
from tests.conftest import services_of


def test_a_write_on_the_reads_connection_rolls_back_as_a_whole(app):
    storage = services_of(app).storage
    with pytest.raises(RuntimeError):
        with storage.read(snapshot=False) as reads:
            reads.execute(select(SandboxMeta.key)).all()  # a read through SQLAlchemy (SQLite: it begins one)
            with storage.write(on=reads) as conn:
                conn.execute(insert(SandboxMeta).values(key="unit-test", value="1"))
                raise RuntimeError("the change fails half-way")
    with storage.read() as conn:
        assert conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "unit-test")).first() is None


def test_a_write_on_the_reads_connection_commits_and_is_seen_elsewhere(app):
    storage = services_of(app).storage
    with storage.read(snapshot=False) as reads:
        reads.execute(select(SandboxMeta.key)).all()
        with storage.write(on=reads) as conn:
            conn.execute(insert(SandboxMeta).values(key="unit-test", value=str(datetime(2026, 1, 1))))
        assert not reads.in_transaction()
    with storage.read() as conn:
        assert conn.execute(select(SandboxMeta.value).where(SandboxMeta.key == "unit-test")).scalar_one() \
            == "2026-01-01 00:00:00"
