"""The books: the invariant check catches every kind of drift, and concurrent Pays on one
instrument can never overspend it."""

from sqlalchemy import insert, select, update

from conftest import DD_KEY, DD_SECRET, concurrent_pays, prepaid_params, services_of
from sandbox.domain.clock import utcnow
from sandbox.domain.books import check_books
from sandbox.models import Account, FpsTransaction, Instrument, LedgerEntry


def problems(app):
    with services_of(app).storage.read() as conn:
        return check_books(conn).problems


def tamper(app, statement):
    with services_of(app).storage.write() as conn:
        conn.execute(statement)


def test_clean_books_have_no_problems(app, funded):
    assert problems(app) == []


def test_an_unbalanced_journal_is_found(app, funded):
    tamper(app, insert(LedgerEntry).values(journal="X", book="clearing", amount_cents=5, memo="x", created_at=utcnow()))
    found = problems(app)
    assert "all lines sum to 5, not 0" in found and "journal X sums to 5" in found
    tamper(app, insert(LedgerEntry).values(journal="X", book="opening", amount_cents=-5, memo="x", created_at=utcnow()))


def test_a_balance_that_drifted_from_its_book_is_found(app, funded):
    tamper(app, update(Account).where(Account.email == "john@example.com").values(balance_cents=1))
    assert any("balance 1 but ledger says 9000" in p for p in problems(app))
    tamper(app, update(Account).where(Account.email == "john@example.com").values(balance_cents=9000))


def test_prepaid_balance_and_liability_drift_are_found(app, funded):
    tamper(app, update(Instrument).values(balance_cents=999))
    found = problems(app)
    assert any("prepaid instrument" in p and "balance 999 but ledger says 1000" in p for p in found)
    assert any(p.startswith("prepaid_liability:") and "liability 1000 but its instruments hold 999" in p for p in found)
    tamper(app, update(Instrument).values(balance_cents=1000))


def test_a_fee_not_booked_is_found(app, funded):
    tamper(app, update(FpsTransaction).values(fee_cents=31))
    assert any("fee 31 but 30 booked" in p for p in problems(app))
    tamper(app, update(FpsTransaction).values(fee_cents=30))


def test_concurrent_pays_never_overspend(app, buyer, fps):
    """Ten threads, 30 Pays of $0.50 each on a $10.00 instrument: exactly 20 succeed."""
    ret = buyer.authorize(prepaid_params())
    fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
             CallerReference="f", **{"FundingAmount.Value": "10.00"})
    outcomes = concurrent_pays(app, DD_KEY, DD_SECRET, ret["prepaidSenderTokenID"], "0.50", threads=10, each=3)
    assert outcomes.count("Success") == 20 and outcomes.count("InsufficientBalance") == 10, outcomes
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(Instrument.balance_cents)).scalar_one() == 0
