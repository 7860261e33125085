"""The look-ups that run on every balance read use the indexes made for them, whatever the number of Pays
(SQLite's planner, asked directly: a regression here made GetPrepaidBalance read every Pay)."""

from datetime import datetime

from sqlalchemy import create_engine, event, insert

from sandbox.domain import completion, transactions
from sandbox.domain.statuses import Operation
from sandbox.models import Account, Base


def plans(tmp_path, run) -> list[str]:
    """SQLite's query plan of every statement `run(conn)` executes."""
    engine = create_engine(f"sqlite:///{tmp_path / 'plans.sqlite'}")
    Base.metadata.create_all(engine)
    seen = []

    def record(conn, cursor, sql, params, context, many):
        seen.append((sql, params))

    event.listen(engine, "before_cursor_execute", record)
    with engine.connect() as conn:
        run(conn)
        event.remove(engine, "before_cursor_execute", record)
        return [" ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
                for sql, params in seen]


def test_pending_amounts_read_only_pending_rows(tmp_path):
    (by_instrument,) = plans(tmp_path, lambda c: transactions.pending_amount(c, Operation.FUND_PREPAID,
                                                                            instrument_pk=5))
    assert "ix_fps_transaction_pending_instrument" in by_instrument, by_instrument
    (by_recipient,) = plans(tmp_path, lambda c: transactions.pending_amount(c, Operation.SETTLE_DEBT, recipient_id=2))
    assert "ix_fps_transaction_pending_recipient" in by_recipient, by_recipient


def test_due_work_reads_only_pending_rows(tmp_path):
    (due,) = plans(tmp_path, lambda c: completion.due(c, datetime(2026, 1, 1)))
    assert "ix_fps_transaction_pending_due" in due, due


def test_the_account_balances_pending_in_reads_only_pending_rows(tmp_path):
    from sandbox.domain import activity
    from sandbox.domain.accounts import Party

    def run(conn):
        conn.execute(insert(Account).values(id=2, name="DigitalDownload", email="d@example", kind="business",
                                            created_at=datetime(2026, 1, 1)))
        activity.balance(conn, Party(2, "DigitalDownload", "d@example", "business"))

    found = plans(tmp_path, run)
    pending = [plan for plan in found if "fps_transaction" in plan]
    assert pending and all("ix_fps_transaction_pending_recipient" in plan for plan in pending), found


def test_the_totals_over_time_read_only_the_newer_statuses(tmp_path):
    """The dashboard and the fee lab add the statuses after the watermark: picked by the status history's key,
    never by reading every Pay through an index of the transactions (510 ms at a million, before)."""
    from sandbox.domain import history_rollups

    found = plans(tmp_path, lambda c: (history_rollups.pay_amounts(c), history_rollups.days(c)))
    newer = [p for p in found if "status_history" in p]
    assert len(newer) == 2, found
    for plan in newer:
        assert "SEARCH status_history USING INTEGER PRIMARY KEY (rowid>?)" in plan, plan
        assert "SCAN fps_transaction" not in plan, plan
