"""The console's running totals: exact before, during and after folding, and across a reset."""

from __future__ import annotations

from sqlalchemy import func, select

from sandbox.domain import rollups
from sandbox.models import LedgerEntry
from sandbox.runtime.services import fold_totals, tick

from conftest import prepaid_params, services_of


def _pay(fps, funded, ref: str, value: str = "0.01"):
    r = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=ref,
                 **{"TransactionAmount.Value": value, "TransactionAmount.CurrencyCode": "USD"})
    assert r.find("PayResult/TransactionStatus") == "Success", r.text
    return r


def _figures(app, caller_id=1):
    with services_of(app).storage.read() as conn:
        return rollups.caller_figures(conn).get(caller_id, {})


def _books(app):
    with services_of(app).storage.read() as conn:
        return rollups.book_totals(conn)


def test_caller_figures_count_fundings_and_pays_with_their_fees(app, fps, funded):
    for n in range(3):
        _pay(fps, funded, f"p{n}", "0.25")
    figures = _figures(app)
    fund = figures["FundPrepaid", "Success"]
    assert (fund.count, fund.amount_cents, fund.fee_cents) == (1, 1000, 30)
    pays = figures["Pay", "Success"]
    assert (pays.count, pays.amount_cents, pays.fee_cents) == (3, 75, 0)


def test_folding_keeps_the_figures_and_moves_the_mark(app, fps, funded):
    _pay(fps, funded, "before")
    before_books, before_figures = _books(app), dict(_figures(app))
    svc = services_of(app)
    fold_totals(svc)
    assert _books(app) == before_books and dict(_figures(app)) == before_figures
    with svc.storage.read() as conn:
        assert rollups.behind(conn) == (False, False)
        assert conn.execute(select(func.count()).select_from(rollups.BookTotal)).scalar() > 0
    # rows after the mark are added to the folded totals, not counted twice
    _pay(fps, funded, "after", "1.00")
    with svc.storage.read() as conn:
        assert rollups.behind(conn) == (True, True)
    pays = _figures(app)["Pay", "Success"]
    assert (pays.count, pays.amount_cents) == (2, 101)
    tick(svc)
    pays = _figures(app)["Pay", "Success"]
    assert (pays.count, pays.amount_cents) == (2, 101)
    with svc.storage.read() as conn:
        assert rollups.behind(conn) == (False, False)


def test_a_denied_funding_is_counted_as_a_failure_without_fee(app, fps, buyer):
    ret = buyer.authorize(prepaid_params())
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="denied", **{"FundingAmount.Value": "9.75", "FundingAmount.CurrencyCode": "USD"})
    assert r.find("FundPrepaidResult/TransactionStatus") == "Failure", r.text
    figures = _figures(app)
    failed = figures["FundPrepaid", "Failure"]
    assert (failed.count, failed.amount_cents, failed.fee_cents) == (1, 975, 0)
    assert ("FundPrepaid", "Success") not in figures


def test_reset_clears_the_running_totals(app, fps, funded):
    from conftest import ROOT
    from sandbox.domain.clock import utcnow
    from sandbox.runtime.world import load_fixture, reset

    fold_totals(services_of(app))
    with services_of(app).storage.write() as conn:
        reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), utcnow())
    assert _figures(app) == {}
    with services_of(app).storage.read() as conn:
        lines = dict(conn.execute(select(LedgerEntry.book, func.sum(LedgerEntry.amount_cents))
                                  .group_by(LedgerEntry.book)).all())
    assert {book: total for book, (total, _) in _books(app).items()} == {b: int(t) for b, t in lines.items()}


def test_the_books_check_catches_running_totals_that_disagree(app, fps, funded):
    from sqlalchemy import update

    from sandbox.domain.books import check_books
    from sandbox.models import CallerTotal

    fold_totals(services_of(app))
    with services_of(app).storage.write() as conn:
        conn.execute(update(CallerTotal).where(CallerTotal.operation == "FundPrepaid").values(count=2))
        problems = check_books(conn).problems
        conn.execute(update(CallerTotal).where(CallerTotal.operation == "FundPrepaid").values(count=1))
    assert any("running figures of caller 1, FundPrepaid Success: (2, 1000, 30)" in p for p in problems), problems


def test_a_fold_never_passes_a_writer_still_at_work(app, fps, funded):
    """PostgreSQL hands out ids before commit, so a fold must not move the mark while a writer is
    inserting: it gives up for this round and the next one folds everything. (SQLite's writers are
    serialized by the storage itself: there the fold simply runs.)"""
    from sqlalchemy import text

    svc = services_of(app)
    if svc.storage.engine.dialect.name == "postgresql":
        writer = svc.storage.engine.connect()
        busy = writer.begin()
        writer.execute(text("LOCK TABLE ledger_entry IN ROW EXCLUSIVE MODE"))  # what an insert holds until commit
        try:
            with svc.storage.write() as conn:
                assert rollups.advance_books(conn) == 0
            with svc.storage.read() as conn:
                assert rollups.behind(conn)[0]
        finally:
            busy.rollback()
            writer.close()
    with svc.storage.write() as conn:
        assert rollups.advance_books(conn) > 0
    with svc.storage.read() as conn:
        assert not rollups.behind(conn)[0]


def test_totals_over_time_fold_and_read_exactly(app, fps, funded):
    """Per day and per Pay amount: folded or not, the same figures; the books check compares them with a count."""
    from sandbox.domain import books, history_rollups

    def pay(n, value):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"t{n}",
                 **{"TransactionAmount.Value": value})

    for n in range(3):
        pay(n, "0.50")
    svc = services_of(app)
    with svc.storage.read() as conn:
        before = history_rollups.days(conn), history_rollups.pay_amounts(conn)
    with svc.storage.write() as conn:
        assert history_rollups.advance(conn) > 0
    pay(9, "0.25")
    with svc.storage.read() as conn:
        days, amounts = history_rollups.days(conn), history_rollups.pay_amounts(conn)
        assert books.check_books(conn).ok
    (day,) = days[1].keys()
    assert days[1][day]["Pay"].count == 4 and days[1][day]["Pay"].amount_cents == 175
    assert days[1][day]["FundPrepaid"].fee_cents == 30
    assert sorted(amounts[1]) == [("ABT", 25, 1), ("ABT", 50, 3)]
    pay(10, "0.50")  # a group that is partly folded, partly newer: still one figure
    with svc.storage.read() as conn:
        assert sorted(history_rollups.pay_amounts(conn)[1]) == [("ABT", 25, 1), ("ABT", 50, 4)]
        assert books.check_books(conn).ok
    assert before[0][1][day]["Pay"].count == 3  # read before the fold, from the status history alone
    with svc.storage.write() as conn:
        conn.exec_driver_sql("UPDATE pay_amount_total SET count = count + 1")
    with svc.storage.read() as conn:
        assert any("running Pays of caller 1" in p for p in books.check_books(conn).problems)
    with svc.storage.write() as conn:
        conn.exec_driver_sql("UPDATE pay_amount_total SET count = count - 1")  # the books balance again
