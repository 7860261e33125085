"""The money path's writes straight through the driver (domain/driver_sql.py) store exactly what
SQLAlchemy's own execution stores, and fail as it fails."""

from datetime import datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from sandbox.domain import driver_sql
from sandbox.models import Account, Notification
from tests.conftest import services_of


def _notification(caller_id: int, **extra) -> dict:
    return {"caller_id": caller_id, "notification_type": "TransactionStatus", "status": "Success",
            "status_code": "Success", "url": None, "state": "queued", "created_at": datetime(2026, 1, 2, 3, 4, 5, 6789),
            "next_attempt_at": datetime(2026, 1, 2, 3, 4, 5), **extra}


def test_a_row_written_through_the_driver_reads_back_as_sqlalchemys_own(app):
    """Datetimes (with and without microseconds), booleans, NULLs and the columns' constant defaults (left
    out of the row) come back the same from both paths, on either engine."""
    with services_of(app).storage.write() as conn:
        caller_id = conn.execute(select(Account.id).where(Account.access_key.is_not(None)).limit(1)).scalar_one()
        table = Notification.__table__
        theirs = conn.execute(insert(table), _notification(caller_id)).inserted_primary_key[0]
        ours = driver_sql.inserted_id(conn, insert(table), _notification(caller_id))
        driver_sql.execute_many(conn, insert(table), [_notification(caller_id, twice=True), _notification(caller_id, twice=False)])
        assert ours != theirs
        rows = {r.id: r for r in conn.execute(select(table).where(table.c.caller_id == caller_id))}
    columns = [c for c in table.columns.keys() if c != "id"]
    assert [getattr(rows[ours], c) for c in columns] == [getattr(rows[theirs], c) for c in columns]
    assert rows[ours].attempts == 0 and rows[ours].twice is False  # the constant defaults, filled in
    assert rows[ours].created_at == datetime(2026, 1, 2, 3, 4, 5, 6789)
    assert sum(r.twice for r in rows.values()) == 1 and len(rows) >= 4
    with services_of(app).storage.read() as conn:  # compared in SQL too: the same stored text on SQLite
        same_time = conn.execute(select(table.c.id).where(table.c.next_attempt_at == datetime(2026, 1, 2, 3, 4, 5),
                                                          table.c.caller_id == caller_id)).all()
    assert len(same_time) == len(rows)


def test_an_update_answers_its_row_count(app):
    with services_of(app).storage.write() as conn:
        statement = update(Account.__table__).where(Account.__table__.c.email == "nobody@example.com").values(
            name="x")
        assert driver_sql.execute(conn, statement, {}) == 0


def test_a_driver_error_is_raised_as_sqlalchemys(app):
    """A duplicate key is sqlalchemy's IntegrityError (the CallerReference race is retried on it), and the unit
    of work rolls back as for any other error."""
    with pytest.raises(IntegrityError):
        with services_of(app).storage.write() as conn:
            caller_id = conn.execute(select(Account.id).limit(1)).scalar_one()
            pk = driver_sql.inserted_id(conn, insert(Notification.__table__), _notification(caller_id))
            driver_sql.inserted_id(conn, insert(Notification.__table__), {**_notification(caller_id), "id": pk})
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(Notification.id).where(Notification.id == pk)).first() is None


def test_only_constant_defaults_are_filled_in():
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String, default=lambda: "x"))
    with pytest.raises(ValueError, match="only constant defaults"):
        driver_sql.constant_defaults(insert(table), ("id",))


def test_a_row_read_through_the_driver_is_sqlalchemys_row(app, fps, funded):
    """The Pay's token look-up (datetimes, the locked instrument's figures) and the caller's context (booleans)
    answer the same values by the same names as Connection.execute; no row is None."""
    from sandbox.domain.accounts import _CONTEXT
    from sandbox.domain.payments import _TOKEN_AND_INSTRUMENT

    with services_of(app).storage.write() as conn:
        for statement, params in ((_TOKEN_AND_INSTRUMENT, {"token_id": funded["prepaidSenderTokenID"]}),
                                  (_CONTEXT, {"access_key": "AKIAIOSFODNN7EXAMPLE", "now": datetime(2027, 1, 1),
                                              "caller_reference": "fund-call-1"})):
            ours, theirs = driver_sql.first(conn, statement, params), conn.execute(statement, params).one()
            assert ours._asdict() == theirs._asdict()
            assert any(isinstance(v, datetime) for v in ours) or any(v is True or v is False for v in ours)
        assert driver_sql.first(conn, _TOKEN_AND_INSTRUMENT, {"token_id": "X" * 64}) is None


def test_a_statement_whose_sql_depends_on_its_values_is_refused(app):
    with services_of(app).storage.read() as conn, pytest.raises(ValueError, match="SQL is fixed"):
        driver_sql.first(conn, select(Account.id).where(Account.id.in_([1, 2])), {})


def test_parameters_go_in_order_and_the_sql_is_sent_as_compiled(monkeypatch, app, fps, funded):
    """Every statement is compiled with its parameters in order ($1, $2, ... on PostgreSQL): a parameter used
    twice is bound once, a value with '%' or '$1' in it is a value, and psycopg never rewrites a Pay's SQL (it
    did on every run of the linked INSERT, whose 52 parameters are more than its cache takes)."""
    table = Account.__table__
    same = select(table.c.id, table.c.name).where(table.c.name == bindparam("name"),
                                                  table.c.email != bindparam("name"))
    with services_of(app).storage.write() as conn:
        driver_sql.execute(conn, update(table).where(table.c.email == "john@example.com").values(name=bindparam("n")),
                           {"n": "50% off $1 %(name)s"})
        row = driver_sql.first(conn, same, {"name": "50% off $1 %(name)s"})
        assert row is not None and row.name == "50% off $1 %(name)s"
        assert driver_sql.first(conn, same, {"name": "50%"}) is None
        if conn.dialect.name == "postgresql":
            sql = driver_sql._compiled(conn, same, ("name",)).sql
            assert "$1" in sql and "%(" not in sql
    if services_of(app).storage.is_sqlite:
        return
    from psycopg import _queries

    rewritten = []
    convert = _queries.PostgresQuery.convert
    monkeypatch.setattr(_queries.PostgresQuery, "convert",
                        lambda self, query, params: (rewritten.append(query), convert(self, query, params))[1])
    r = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="in-order",
                 **{"TransactionAmount.Value": "0.01", "TransactionAmount.CurrencyCode": "USD"})
    assert r.find("PayResult/TransactionStatus") == "Success", r.text
    assert rewritten == []


def test_many_rows_go_in_few_statements_on_sqlite_and_store_what_one_by_one_stores(app, monkeypatch):
    """execute_many on SQLite: INSERTs of many rows each (the driver lets go of the interpreter once per
    statement, not once per row), no more rows per statement than asked, every row stored as a row of its own
    would be; a duplicate key anywhere fails the whole unit, as SQLAlchemy's IntegrityError."""
    monkeypatch.setattr(driver_sql, "_ROWS_PER_INSERT", 40)
    storage = services_of(app).storage
    table = Notification.__table__
    sent: list[str] = []
    with storage.write() as conn:
        caller_id = conn.execute(select(Account.id).where(Account.access_key.is_not(None)).limit(1)).scalar_one()
        alone = driver_sql.inserted_id(conn, insert(table), _notification(caller_id, url="https://one.example/"))
        if storage.is_sqlite:
            conn.connection.driver_connection.set_trace_callback(sent.append)
        driver_sql.execute_many(conn, insert(table), [_notification(caller_id, url=f"https://{n}.example/", twice=n % 2)
                                                     for n in range(100)])
        if storage.is_sqlite:
            conn.connection.driver_connection.set_trace_callback(None)
        rows = conn.execute(select(table).where(table.c.caller_id == caller_id).order_by(table.c.id)).all()
    inserts = [sql for sql in sent if sql.startswith("INSERT")]
    if storage.is_sqlite:
        assert len(inserts) == 3 and [sql.count("VALUES") for sql in inserts] == [1, 1, 1]  # 40 + 40 + 20 rows
    many = [r for r in rows if r.url != "https://one.example/" and r.id > alone]
    assert [r.url for r in many] == [f"https://{n}.example/" for n in range(100)]
    assert [r.twice for r in many] == [bool(n % 2) for n in range(100)]
    one = next(r for r in rows if r.id == alone)
    columns = [c for c in table.columns.keys() if c not in ("id", "url", "twice")]
    assert all([getattr(r, c) for c in columns] == [getattr(one, c) for c in columns] for r in many)
    with pytest.raises(IntegrityError):
        with storage.write() as conn:
            driver_sql.execute_many(conn, insert(table), [_notification(caller_id, url="https://new.example/",
                                                                       id=alone + 1000),
                                                         _notification(caller_id, id=alone)])
    with storage.read() as conn:
        assert conn.execute(select(table.c.id).where(table.c.url == "https://new.example/")).first() is None
