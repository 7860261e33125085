"""Upgrades keep every row: databases and snapshots made by the releases with schemas 6 and 7
(tests/upgrade/, made by tests/upgrade/make_fixture.py with those releases' own code) are upgraded
in place, on SQLite and on PostgreSQL; newer or unrecognised databases are refused and left as they are."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, select, text

from conftest import DD_KEY, DD_SECRET, NEWS_KEY, NEWS_SECRET, SignedCaller, assert_books_balance, dispose, services_of
from sandbox import create_app
from sandbox.runtime import schema
from sandbox.models import Base, FpsTransaction, Token

UPGRADE = Path(__file__).parent / "upgrade"
PG_SCHEMA = "fps_upgrade_test"
RELEASES = ["schema6", "schema7"]


@pytest.fixture
def empty_db(tmp_path, key_dir):
    """A database with nothing in it: a SQLite file, or a PostgreSQL schema of its own."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield {"url": f"sqlite:///{tmp_path / 'sandbox.sqlite'}", "engine": "sqlite", "path": tmp_path / "sandbox.sqlite"}
        return
    import psycopg

    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
    yield {"url": pg + ("&" if "?" in pg else "?") + f"options=-csearch_path%3D{PG_SCHEMA}", "engine": "postgresql"}
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")


def load_release(db: dict, release: str) -> None:
    """Put a database exactly as that release left it into the empty database."""
    if db["engine"] == "sqlite":
        with closing(sqlite3.connect(db["path"])) as conn:
            conn.executescript((UPGRADE / release / "sqlite.sql").read_text())
        return
    import psycopg

    with psycopg.connect(db["url"], autocommit=True) as conn:
        conn.execute((UPGRADE / release / "postgresql.sql").read_text())


def rows(url: str) -> dict[str, dict[tuple, dict]]:
    """Every row of every table, by primary key, read without the sandbox's code."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = MetaData()
            found.reflect(conn)
            return {table.name: {tuple(r[c] for c in table.primary_key.columns.keys()): dict(r)
                                 for r in conn.execute(select(table)).mappings()}
                    for table in found.sorted_tables if table.name != "alembic_version"}
    finally:
        engine.dispose()


def plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def assert_every_row_kept(before: dict, after: dict) -> None:
    for table, old_rows in before.items():
        assert set(after[table]) == set(old_rows), table
        for key, old in old_rows.items():
            new = after[table][key]
            if table == "sandbox_meta" and key == ("schema_version",):
                assert new["value"] == schema.LEGACY_MARK
                continue
            assert {c: new[c] for c in old} == old, (table, key)


def app_on(db: dict, key_dir, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": db["url"],
                       "FPS_KEY_DIR": str(key_dir), "FPS_PENDING_SECONDS": 0, "FPS_BACKGROUND_WORKER": False, **config})


def schema_differences(app) -> list:
    with services_of(app).storage.read() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def test_migrations_from_nothing_build_what_the_models_describe(empty_db, key_dir):
    app = app_on(empty_db, key_dir)
    with services_of(app).storage.write() as conn:
        assert schema.upgrade(conn) == (None, schema.head())
    assert schema_differences(app) == []
    dispose(app)


def test_a_fresh_database_is_stamped_at_the_head(empty_db, key_dir):
    app = app_on(empty_db, key_dir)
    out = app.test_cli_runner().invoke(args=["init-db"]).output
    assert "Created the database and loaded the demo world." in out
    with services_of(app).storage.read() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == schema.head()
    assert schema_differences(app) == []
    assert "up to date; kept as it is" in app.test_cli_runner().invoke(args=["init-db"]).output
    dispose(app)


@pytest.mark.parametrize("release", RELEASES)
def test_init_db_upgrades_a_release_database_keeping_every_row(empty_db, key_dir, release):
    load_release(empty_db, release)
    before = rows(empty_db["url"])
    assert sum(map(len, before.values())) > 100
    app = app_on(empty_db, key_dir)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    revision = schema.LEGACY_REVISIONS[int(release[-1])]
    if revision == schema.head():
        assert f"Recorded the database's schema ({revision}) for later upgrades; every row kept." in result.output
    else:
        assert f"Upgraded the database from schema {revision} to {schema.head()}, keeping every row" in result.output
    after = rows(empty_db["url"])
    assert_every_row_kept(before, after)
    assert schema_differences(app) == []
    assert_books_balance(app)
    if empty_db["engine"] == "sqlite" and revision != schema.head():  # the copy from before holds the old rows
        backup = next(empty_db["path"].parent.glob("sandbox.sqlite.before-*.bak"))
        assert str(backup) in result.output
        assert rows(f"sqlite:///{backup}") == before
    assert "up to date; kept as it is" in app.test_cli_runner().invoke(args=["init-db"]).output
    assert rows(empty_db["url"]) == after
    _old_instruments_still_work(app)
    assert_books_balance(app)
    dispose(app)


def _old_instruments_still_work(app) -> None:
    """The instruments the release made take new Pays, balances carry on, ids do not collide."""
    with services_of(app).storage.read() as conn:
        prepaid = conn.execute(select(Token.token_id).where(Token.role == "PrepaidSender", Token.status == "Active")).scalar_one()
        credit = conn.execute(select(Token.token_id).where(Token.role == "CreditSender")).scalar_one()
    client = app.test_client()
    fps, news = SignedCaller(client, DD_KEY, DD_SECRET), SignedCaller(client, NEWS_KEY, NEWS_SECRET)
    paid = fps.call("Pay", SenderTokenId=prepaid, CallerReference="after-upgrade", **{"TransactionAmount.Value": "0.50"})
    assert paid.find("PayResult/TransactionStatus") == "Success", paid.text
    with services_of(app).storage.read() as conn:
        song = conn.execute(select(FpsTransaction.transaction_id).where(FpsTransaction.caller_reference == "song-1")).scalar()
    again = fps.call("Pay", SenderTokenId=prepaid, CallerReference="song-1", **{"TransactionAmount.Value": "0.50"})
    assert again.find("PayResult/TransactionId") == song  # the release's CallerReferences still count
    other = fps.call("Pay", SenderTokenId=prepaid, CallerReference="song-1", **{"TransactionAmount.Value": "0.75"})
    assert other.error_code == "DuplicateRequest", other.text
    owed = news.call("Pay", SenderTokenId=credit, CallerReference="after-upgrade", **{"TransactionAmount.Value": "1.00"})
    assert owed.find("PayResult/TransactionStatus") == "Success", owed.text
    assert client.get("/admin/").status_code == 200


def test_a_database_made_by_a_newer_version_is_refused_and_left_alone(empty_db, key_dir):
    app = app_on(empty_db, key_dir)
    app.test_cli_runner().invoke(args=["init-db"])
    with services_of(app).storage.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    before = rows(empty_db["url"])
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    assert "made by a newer version of the sandbox (schema revision 9999_from_the_future" in result.output
    assert "left untouched" in result.output
    assert rows(empty_db["url"]) == before
    dispose(app)


@pytest.mark.parametrize("legacy, expected", [("3", "an early version of the sandbox (schema 3)"),
                                              (None, "no record of the schema")])
def test_a_database_that_cannot_be_upgraded_is_refused_and_left_alone(empty_db, key_dir, legacy, expected):
    load_release(empty_db, "schema6")
    engine = create_engine(empty_db["url"])
    with engine.begin() as conn:
        if legacy:
            conn.execute(text("UPDATE sandbox_meta SET value = :v WHERE key = 'schema_version'"), {"v": legacy})
        else:
            conn.execute(text("DELETE FROM sandbox_meta"))
    engine.dispose()
    before = rows(empty_db["url"])
    app = app_on(empty_db, key_dir)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1 and expected in result.output and "left untouched" in result.output
    assert rows(empty_db["url"]) == before
    dispose(app)


@pytest.mark.parametrize("release", RELEASES)
def test_a_snapshot_saved_by_a_release_is_upgraded_on_restore(app, tmp_path, release):
    folder = tmp_path / "snaps"
    folder.mkdir()
    shutil.copy(UPGRADE / release / "snapshot.json", folder / "old-lesson.json")
    app.config["FPS_SNAPSHOT_DIR"] = str(folder)
    read_in = app.test_cli_runner().invoke(args=["init-db"])  # files of releases before 0013: into the database
    assert "Read 1 snapshot file(s) into the database: old-lesson" in read_in.output, read_in.output
    result = app.test_cli_runner().invoke(args=["snapshot", "restore", "old-lesson"])
    assert result.exit_code == 0, result.output
    revision = schema.LEGACY_REVISIONS[int(release[-1])]
    assert (f"upgraded from schema {revision})" in result.output) == (revision != schema.head())
    saved = json.loads((folder / "old-lesson.json").read_text())["tables"]
    restored = rows(app.config["SQLALCHEMY_DATABASE_URI"])
    for name, saved_rows in saved.items():
        keys = [c.name for c in Base.metadata.tables[name].primary_key.columns]
        assert len(restored[name]) == len(saved_rows), name
        for old in saved_rows:
            new = restored[name][tuple(old[k] for k in keys)]
            if name == "sandbox_meta" and old["key"] == "schema_version":
                assert new["value"] == schema.LEGACY_MARK  # never the old number back
                continue
            assert {c: plain(new[c]) for c in old} == old, (name, old)
    with services_of(app).storage.read() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == schema.head()
    assert "up to date; kept as it is" in app.test_cli_runner().invoke(args=["init-db"]).output
    _old_instruments_still_work(app)


def test_a_snapshot_from_a_newer_version_is_refused(app, tmp_path):
    folder = tmp_path / "snaps"
    folder.mkdir()
    (folder / "future.json").write_text(json.dumps({"saved_at": "2030-01-01", "schema": "9999_future", "tables": {}}))
    app.config["FPS_SNAPSHOT_DIR"] = str(folder)
    app.test_cli_runner().invoke(args=["init-db"])
    result = app.test_cli_runner().invoke(args=["snapshot", "restore", "future"])
    assert result.exit_code == 1 and "newer version of the sandbox" in result.output
    with services_of(app).storage.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM account")).scalar() == 5  # the demo world, untouched


def test_reset_asks_first_on_a_terminal(app, funded, monkeypatch):
    from sandbox import cli

    monkeypatch.setattr(cli, "_on_terminal", lambda: True)
    declined = app.test_cli_runner().invoke(args=["reset"], input="n\n")
    assert declined.exit_code == 1 and "throws away every instrument" in declined.output
    with services_of(app).storage.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM instrument")).scalar() == 1
    agreed = app.test_cli_runner().invoke(args=["reset"], input="y\n")
    assert "back to the demo world" in agreed.output
    with services_of(app).storage.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM instrument")).scalar() == 0


def test_flask_db_migrates_the_apps_own_database(app):
    """`flask db ...` (Flask-Migrate, for people writing migrations; CONTRIBUTING.md) runs migrations/env.py
    on the app's own storage: down to schema 6 and back up, rows kept, the schema the models describe."""
    runner = app.test_cli_runner()
    before = rows(app.config["SQLALCHEMY_DATABASE_URI"])
    assert runner.invoke(args=["db", "downgrade", "0006"]).exit_code == 0
    with services_of(app).storage.read() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0006"
        assert not inspect(conn).has_table("book_total")
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with services_of(app).storage.read() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == schema.head()
    assert schema_differences(app) == []
    assert_every_row_kept(before, rows(app.config["SQLALCHEMY_DATABASE_URI"]))
