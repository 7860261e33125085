"""A prepaid Pay on PostgreSQL: the sender token read ahead with the caller, then one statement guarded by
what the Pay relied on (the balance still enough, the token still active), its request log entry in it; a
change in between makes the guard match nothing and the Pay is done the locked way. SQLite reads the token
under its write lock, as before. Either way the answers, the books and the log are the same."""

import pytest
from psycopg import _connection_base
from sqlalchemy import func, select

from conftest import services_of
from sandbox.api import views
from sandbox.domain import driver_sql, linked_rows, payments
from sandbox.domain.prepaid import _GUARDED_DRAW_DOWN
from sandbox.models import ApiCall, FpsTransaction, Instrument, Notification
from test_api_prepaid import balance, pay


def _postgresql(app) -> bool:
    return not services_of(app).storage.is_sqlite


def _sent(monkeypatch) -> list[str]:
    """What psycopg sends from now on: each statement, and BEGIN/COMMIT/ROLLBACK as commands."""
    import psycopg

    sent = []
    execute, command = psycopg.Cursor.execute, _connection_base.BaseConnection._exec_command

    def traced_execute(self, query, params=None, **kwargs):
        sent.append(str(query).split()[0])
        return execute(self, query, params, **kwargs)

    def traced_command(self, cmd, *args, **kwargs):
        sent.append(bytes(cmd).decode().split()[0])
        return command(self, cmd, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", traced_execute)
    monkeypatch.setattr(_connection_base.BaseConnection, "_exec_command", traced_command)
    return sent


def _logged(app, request_id: str) -> list:
    with services_of(app).storage.read() as conn:
        return conn.execute(select(ApiCall.__table__).where(ApiCall.request_id == request_id)).all()


def _request_id(r) -> str:
    return (r.find("ResponseMetadata/RequestId") or r.find("RequestID")).split(":")[0]


def test_a_prepaid_pay_is_two_statements_on_postgresql(monkeypatch, app, fps, funded):
    """The caller's SELECT with the token read ahead, then the guarded statement alone: no BEGIN, no COMMIT.
    The transaction, its ledger lines, status, notification and the request log entry are all written."""
    assert pay(fps, funded, "0.01", ref="warm").find("PayResult/TransactionStatus") == "Success"
    sent = _sent(monkeypatch) if _postgresql(app) else []
    r = pay(fps, funded, "0.25", ref="two")
    assert r.find("PayResult/TransactionStatus") == "Success", r.text
    if _postgresql(app):
        assert sent == ["SELECT", "WITH"], sent
    monkeypatch.undo()
    txn = r.find("PayResult/TransactionId")
    [entry] = _logged(app, _request_id(r))
    assert entry.transaction_id == txn and entry.http_status == 200 and txn in entry.response
    with services_of(app).storage.read() as conn:
        pk = conn.execute(select(FpsTransaction.id).where(FpsTransaction.transaction_id == txn)).scalar_one()
        assert conn.execute(select(func.count()).select_from(Notification)
                            .where(Notification.transaction_pk == pk)).scalar_one() == 1
    assert balance(fps, funded) == "9.740000"


@pytest.mark.parametrize("change, code", [("cancel", "TokenNotActive_Sender"), ("spend", "InsufficientBalance")])
def test_a_token_changed_after_it_was_read_ahead_is_paid_the_locked_way(monkeypatch, app, fps, funded, change, code):
    """Between the caller's read and the write, another request cancels the token or spends the balance: the
    guard matches nothing, nothing of the first try is written, and the Pay is answered as the locked way
    answers it; one log entry for it."""
    admitted, inside = [], []
    admit = views._admit

    def admit_then_change(*args, **kwargs):
        answer = admit(*args, **kwargs)
        if inside:  # the other request's own
            return answer
        admitted.append(answer[0].read)
        if len(admitted) == 1:  # the other request, in between
            inside.append(True)
            if change == "cancel":
                r = fps.call("CancelToken", TokenId=funded["prepaidSenderTokenID"])
            else:
                r = pay(fps, funded, "9.90", ref="the-other")
            inside.clear()
            assert r.status == 200, r.text
        return answer

    monkeypatch.setattr(views, "_admit", admit_then_change)
    r = pay(fps, funded, "0.50", ref="first")
    monkeypatch.undo()
    assert r.error_code == code, r.text
    if _postgresql(app):  # read ahead, then again without
        assert len(admitted) == 2 and admitted[0] is not None and admitted[1] is None
    else:
        assert admitted == [None]
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(FpsTransaction).where(FpsTransaction.caller_reference == "first")).first() is None
        assert conn.execute(select(Instrument.balance_cents)).scalar_one() == (1000 if change == "cancel" else 10)
    [entry] = _logged(app, _request_id(r))
    assert entry.error_code == code


def test_the_same_caller_reference_at_once_answers_the_first_pay(monkeypatch, app, fps, funded):
    """Another Pay with the same CallerReference commits between the read and the write: the guarded write
    meets the unique key, the request runs again and answers the other's transaction; spent once."""
    admit, other = views._admit, []

    def admit_then_same(*args, **kwargs):
        answer = admit(*args, **kwargs)
        if not other:
            other.append(None)  # the other request's own admission passes by
            other[0] = pay(fps, funded, "0.30", ref="once")
        return answer

    monkeypatch.setattr(views, "_admit", admit_then_same)
    r = pay(fps, funded, "0.30", ref="once")
    monkeypatch.undo()
    assert r.find("PayResult/TransactionId") == other[0].find("PayResult/TransactionId") is not None, r.text
    assert balance(fps, funded) == "9.700000"


def test_a_guarded_write_is_written_whole_or_not_at_all(app, funded):
    """A guarded write waits for the end of its unit of work. Its guard matching: every row written and the
    balance drawn down; the unit raising: nothing sent, and nothing left waiting on that pooled connection;
    its guard matching nothing (more than the balance): Changed, and none of its rows written. SQLite has no
    guarded writes: refused."""
    storage = services_of(app).storage
    token = payments.token_read(funded["prepaidSenderTokenID"])
    with storage.read() as conn:
        row = driver_sql.first(conn, token.statement, token.params)

    def guard(cents: int) -> linked_rows.Guard:
        return linked_rows.Guard(_GUARDED_DRAW_DOWN, {"g_pk": row.instrument_pk, "g_amount": cents,
                                                      "g_token_pk": row.id})

    if storage.is_sqlite:
        with pytest.raises(ValueError, match="PostgreSQL"), storage.write() as conn:
            linked_rows.insert_linked(conn, Notification.__table__, _notification(), [], guard(1))
        return
    notifications, _ = _counts(app)  # a guard drawing nothing down keeps the books whole; it still must match
    with storage.write() as conn:
        assert linked_rows.insert_linked(conn, Notification.__table__, _notification(), [], guard(0)) is None
        assert _counts(app) == (notifications, 1000)  # not sent yet
    assert _counts(app) == (notifications + 1, 1000)
    with storage.read(snapshot=False) as reads:  # the failed unit's own connection, looked at after it
        with pytest.raises(RuntimeError, match="unit failed"), storage.write(on=reads) as conn:
            linked_rows.insert_linked(conn, Notification.__table__, _notification(), [], guard(1))
            raise RuntimeError("the unit failed")
        assert linked_rows.PENDING not in reads.info and driver_sql._AT_END not in reads.info
    assert _counts(app) == (notifications + 1, 1000)
    with pytest.raises(driver_sql.Changed), storage.write() as conn:
        linked_rows.insert_linked(conn, Notification.__table__, _notification(), [], guard(1001))
    assert _counts(app) == (notifications + 1, 1000)


def _notification() -> dict:
    from datetime import datetime

    return {"caller_id": 1, "notification_type": "TransactionStatus", "status": "Success", "status_code": "Success",
            "url": None, "state": "queued", "created_at": datetime(2026, 1, 1), "next_attempt_at": datetime(2026, 1, 1)}


def _counts(app) -> tuple:
    with services_of(app).storage.read() as conn:
        return (conn.execute(select(func.count()).select_from(Notification)).scalar_one(),
                conn.execute(select(Instrument.balance_cents)).scalar_one())
