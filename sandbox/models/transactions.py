"""Transactions, their status history, the ledger and the ledger's running totals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, partial_index
from .instruments import Instrument, Token  # noqa: F401  (named in the relationships' annotations)


class FpsTransaction(Base):
    """One FPS transaction (FundPrepaid, Pay, ...), with gross, fee and status."""

    __tablename__ = "fps_transaction"
    __table_args__ = (
        UniqueConstraint("caller_id", "caller_reference"),
        # Every API call looks for Pending transactions that are due: only those rows are indexed.
        partial_index("ix_fps_transaction_pending_due", "due_at", where="status = 'Pending'"),
        # What is still Pending on an instrument, or for a recipient (balances, open debt): few rows.
        partial_index("ix_fps_transaction_pending_instrument", "instrument_pk", "operation",
                      where="status = 'Pending'"),
        partial_index("ix_fps_transaction_pending_recipient", "recipient_id", "operation", where="status = 'Pending'"),
        # The console's filters, newest first (see bench/console_bench.py): per caller and per buyer
        # every row; statuses and operations only where they are not the common Success and Pay.
        Index("ix_fps_transaction_caller", "caller_id", "id"),
        Index("ix_fps_transaction_sender", "sender_id", "id"),
        partial_index("ix_fps_transaction_unusual_status", "status", "id", where="status <> 'Success'"),
        partial_index("ix_fps_transaction_unusual_operation", "operation", "id", where="operation <> 'Pay'"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(35), unique=True)
    caller_reference: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(16))
    payment_method: Mapped[str] = mapped_column(String(8))
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    instrument_pk: Mapped[int | None] = mapped_column(ForeignKey("instrument.id"), index=True)
    sender_token_pk: Mapped[int | None] = mapped_column(ForeignKey("token.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fees_paid_by: Mapped[str] = mapped_column(String(9), default="Recipient")
    status: Mapped[str] = mapped_column(String(9))
    status_code: Mapped[str] = mapped_column(String(32))
    status_message: Mapped[str] = mapped_column(String(255))
    caller_description: Mapped[str | None] = mapped_column(String(160))
    sender_description: Mapped[str | None] = mapped_column(String(160))
    date_received: Mapped[datetime]
    date_completed: Mapped[datetime | None]
    parent_pk: Mapped[int | None] = mapped_column(ForeignKey("fps_transaction.id"), index=True)  # a refund's original
    due_at: Mapped[datetime | None]  # a Pending transaction's planned completion (sandbox clock)
    outcome: Mapped[str | None] = mapped_column(String(32))  # its planned final StatusCode
    override_ipn_url: Mapped[str | None] = mapped_column(String(2048))  # OverrideIPNURL of its request

    instrument: Mapped[Instrument | None] = relationship()
    sender_token: Mapped[Token | None] = relationship()
    history: Mapped[list[StatusHistory]] = relationship(order_by="StatusHistory.id")
    ledger_lines: Mapped[list[LedgerEntry]] = relationship(order_by="LedgerEntry.id")


class StatusHistory(Base):
    """Every status a transaction has had (GetTransaction's StatusHistory)."""

    __tablename__ = "status_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_pk: Mapped[int] = mapped_column(ForeignKey("fps_transaction.id"), index=True)
    date: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(9))
    status_code: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class LedgerEntry(Base):
    """One line of an append-only double-entry journal; a journal's lines sum to zero.

    `book` names a ledger account such as "balance:3", "clearing", "fee_revenue",
    "funding:CC:2", "prepaid:5" or "prepaid_liability:1" (see domain/ledger.py).
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_book", "book", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    journal: Mapped[str] = mapped_column(String(40), index=True)
    transaction_pk: Mapped[int | None] = mapped_column(ForeignKey("fps_transaction.id"), index=True)
    book: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # + money into the book, - out of it
    memo: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime]


class BookTotal(Base):
    """A ledger book's balance and line count up to a watermark (domain/rollups.py): the console
    adds the newer lines instead of summing millions."""

    __tablename__ = "book_total"
    book: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(BigInteger)


class CallerTotal(Base):
    """How many of a caller's transactions of one operation ended in one status, their gross and fees,
    up to a watermark in the status history (domain/rollups.py)."""

    __tablename__ = "caller_total"
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    operation: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(9), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger)


class CallerDayTotal(Base):
    """A caller's successful transactions of one operation on one day (UTC): count, gross and fees, up to a
    watermark in the status history (domain/history_rollups.py), for the dashboard's charts."""

    __tablename__ = "caller_day_total"
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    operation: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger)


class PayAmountTotal(Base):
    """How many successful Pays of one amount a caller took from instruments of one payment method, up to
    a watermark: what they would have cost in fees charged one by one (the dashboard, the fee lab)."""

    __tablename__ = "pay_amount_total"
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    payment_method: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
