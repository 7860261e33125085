"""The instructor's figures for one sandbox: its client's requests and errors, its last activity, its
transactions and fees, whether its books balance, and its error-handling coverage (domain/coverage.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from ..domain import coverage, ledger
from ..domain.books import check_books
from ..models import ApiCall, FpsTransaction, LedgerEntry


@dataclass(frozen=True)
class Activity:
    """One row of the instructor's overview."""

    requests: int
    errors: int
    last_at: datetime | None
    transactions: int
    fees_cents: int
    books_ok: bool
    books_problems: tuple[str, ...]
    coverage: coverage.Coverage


def activity(conn: Connection) -> Activity:
    """A sandbox's figures: only what its client's own code sent counts as requests and errors."""
    requests, errors, last_at = conn.execute(
        select(func.count(ApiCall.id), func.count(ApiCall.error_code), func.max(ApiCall.at))
        .where(ApiCall.face.in_(coverage.CLIENT_FACES))).one()
    transactions = conn.execute(select(func.count(FpsTransaction.id))).scalar_one()
    fees = conn.execute(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                        .where(LedgerEntry.book == ledger.FEE_REVENUE)).scalar_one()
    books = check_books(conn)
    return Activity(int(requests), int(errors), last_at, int(transactions), int(fees), books.ok,
                    tuple(books.problems), coverage.measure(conn))


def latest_calls(conn: Connection, limit: int) -> list:
    """The newest calls the sandbox's client sent (the student page's list), newest first."""
    return conn.execute(select(ApiCall.at, ApiCall.face, ApiCall.action, ApiCall.http_status, ApiCall.error_code,
                               ApiCall.request_id).where(ApiCall.face.in_(coverage.CLIENT_FACES))
                        .order_by(ApiCall.id.desc()).limit(limit)).all()
