"""Tables only: accounts, payment methods, instruments, tokens, transactions, ledger.

Plain SQLAlchemy (no Flask), so the domain can use these tables. Money columns hold
integer cents; timestamps are naive UTC.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


# A change to a table ships as a migration in migrations/versions/ (see CONTRIBUTING.md).


class Base(DeclarativeBase):
    pass


def partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of only the rows matching `where` (SQLite and PostgreSQL): cheap to keep up when
    those rows are rare, as the console's filters for failures, errors and unusual operations are."""
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class SandboxMeta(Base):
    """Facts about the database itself: the sandbox clock's offset, the running totals' watermarks, and
    `schema_version`, read only to recognise a database made before migrations (sandbox/runtime/schema.py)."""

    __tablename__ = "sandbox_meta"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class Account(Base):
    """A person or business with an Amazon Payments balance; business accounts call the API."""

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # personal | business
    password: Mapped[str | None] = mapped_column(String(255))  # demo logins, werkzeug hash
    access_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    secret_key: Mapped[str | None] = mapped_column(String(128))
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # ABT balance (cached)
    created_at: Mapped[datetime]
    # Instant Payment Notification settings (FPS kept the URL in account settings) and the
    # switches that make delivery misbehave on purpose.
    ipn_url: Mapped[str | None] = mapped_column(String(2048))
    ipn_twice: Mapped[bool] = mapped_column(default=False)
    ipn_reorder: Mapped[bool] = mapped_column(default=False)
    ipn_delay_seconds: Mapped[int] = mapped_column(default=0)
    ipn_drop: Mapped[bool] = mapped_column(default=False)
    ipn_fail_first: Mapped[int] = mapped_column(default=0)

    payment_methods: Mapped[list[PaymentMethod]] = relationship(back_populates="account")


class PaymentMethod(Base):
    """A buyer's credit card (CC) or bank account (ACH); ABT is the account balance itself."""

    __tablename__ = "payment_method"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    method: Mapped[str] = mapped_column(String(3))  # CC | ACH
    label: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[str | None] = mapped_column(String(7))  # MM/YYYY for cards

    account: Mapped[Account] = relationship(back_populates="payment_methods")


class Instrument(Base):
    """A prepaid instrument (stored value) or a credit instrument (postpaid tab)."""

    __tablename__ = "instrument"
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(65), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # Prepaid | Credit
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    limit_cents: Mapped[int] = mapped_column(BigInteger)  # fundingAmount (prepaid) or creditLimit (credit)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # prepaid balance
    funded_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    debt_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # credit: what the buyer owes now
    global_limit_cents: Mapped[int | None] = mapped_column(BigInteger)  # credit: globalAmountLimit
    payment_method: Mapped[str] = mapped_column(String(3))  # ABT | ACH | CC chosen by the buyer
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_method.id"))
    payment_reason: Mapped[str | None] = mapped_column(Text)
    validity_start: Mapped[datetime]
    validity_expiry: Mapped[datetime | None]
    created_at: Mapped[datetime]

    tokens: Mapped[list[Token]] = relationship(back_populates="instrument")


class Token(Base):
    """An authorization installed through the Co-Branded UI (funding, prepaid sender, ...)."""

    __tablename__ = "token"
    __table_args__ = (UniqueConstraint("caller_id", "caller_reference"),
                      Index("ix_token_instrument", "instrument_pk"), Index("ix_token_sender", "sender_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[str] = mapped_column(String(65), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # Funding | PrepaidSender | CreditSender | Settlement
    token_type: Mapped[str] = mapped_column(String(16), default="MultiUse")
    instrument_pk: Mapped[int] = mapped_column(ForeignKey("instrument.id"))
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    caller_reference: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(8), default="Active")  # Active | Inactive
    payment_method: Mapped[str] = mapped_column(String(8))
    payment_reason: Mapped[str | None] = mapped_column(Text)
    validity_start: Mapped[datetime]
    validity_expiry: Mapped[datetime | None]
    date_installed: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(1024))

    instrument: Mapped[Instrument] = relationship(back_populates="tokens")
    usage_limits: Mapped[list[UsageLimit]] = relationship(order_by="UsageLimit.position")


class UsageLimit(Base):
    """usageLimitTypeN / PeriodN / ValueN of a token: at most `value` (cents or a count) per period."""

    __tablename__ = "usage_limit"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_pk: Mapped[int] = mapped_column(ForeignKey("token.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(6))  # Amount | Count
    period_count: Mapped[int]
    period_unit: Mapped[str] = mapped_column(String(5))  # Hour | Day | Week | Month | Year
    value: Mapped[int] = mapped_column(BigInteger)


class FpsTransaction(Base):
    """One FPS transaction (FundPrepaid, Pay, ...), with gross, fee and status."""

    __tablename__ = "fps_transaction"
    __table_args__ = (
        UniqueConstraint("caller_id", "caller_reference"),
        # Every API call looks for Pending transactions that are due: only those rows are indexed.
        partial_index("ix_fps_transaction_pending_due", "due_at", where="status = 'Pending'"),
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


class Notification(Base):
    """An Instant Payment Notification, stored with the change it reports and kept for good.

    Its fields are built from the transaction (or token) when it is sent or shown; `status` and
    `status_code` are the snapshot it reports. `edited_fields` replaces them after an edit.
    """

    __tablename__ = "notification"
    __table_args__ = (partial_index("ix_notification_due", "next_attempt_at", where="state = 'queued'"),
                      Index("ix_notification_caller", "caller_id", "id"), Index("ix_notification_state", "state", "id"),
                      Index("ix_notification_token", "token_pk"))
    id: Mapped[int] = mapped_column(primary_key=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    notification_type: Mapped[str] = mapped_column(String(20))  # TransactionStatus | TokenCancellation
    transaction_pk: Mapped[int | None] = mapped_column(ForeignKey("fps_transaction.id"), index=True)
    token_pk: Mapped[int | None] = mapped_column(ForeignKey("token.id"))
    status: Mapped[str | None] = mapped_column(String(9))
    status_code: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(String(2048))  # None: the caller had no notification URL
    state: Mapped[str] = mapped_column(String(10))  # queued | delivered | failed | no_url | dropped
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    forced_failures_left: Mapped[int] = mapped_column(default=0)
    twice: Mapped[bool] = mapped_column(default=False)
    edited_fields: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """One try at delivering a notification: when, what came back, how long it took."""

    __tablename__ = "delivery_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_pk: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | failed | forced-failure | duplicate
    http_status: Mapped[int | None]
    response_excerpt: Mapped[str | None] = mapped_column(String(512))
    duration_ms: Mapped[int] = mapped_column(default=0)


class Fault(Base):
    """An armed fault: the next `remaining` calls (all when None; a share when `per_mille`) of
    `action` ("*" for any) fail with `error_code`, go Pending and then fail, or answer late."""

    __tablename__ = "fault"
    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(12))  # error | pending_fail | delay
    error_code: Mapped[str | None] = mapped_column(String(64))
    remaining: Mapped[int | None]
    per_mille: Mapped[int | None]  # a fraction of calls, in thousandths (no floats)
    delay_ms: Mapped[int] = mapped_column(default=0)
    hits: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class ApiCall(Base):
    """The request log: every Query-API call and Co-Branded start, as it came and as it was answered.

    Every Pay writes a row (runtime/request_log.py), so the indexes are the few the console's
    filters need: by request id, by transaction, by action and by access key, and errors only.
    `string_to_sign` is kept for mismatches; for a good signature it is recomputed when shown.
    """

    __tablename__ = "api_call"
    __table_args__ = (Index("ix_api_call_request_id", "request_id"), Index("ix_api_call_transaction", "transaction_id"),
                      Index("ix_api_call_action", "action", "id"), Index("ix_api_call_access_key", "access_key", "id"),
                      partial_index("ix_api_call_errors", "id", where="error_code IS NOT NULL"))
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column()
    face: Mapped[str] = mapped_column(String(8))  # api | cbui
    action: Mapped[str | None] = mapped_column(String(64))
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    access_key: Mapped[str | None] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    host: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(255))
    params: Mapped[str] = mapped_column(Text)  # JSON, as received
    verdict: Mapped[str] = mapped_column(String(10))  # ok | mismatch | unchecked
    string_to_sign: Mapped[str | None] = mapped_column(Text)
    diagnosis: Mapped[str | None] = mapped_column(Text)  # the signature doctor's findings, one per line
    http_status: Mapped[int]
    error_code: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text)  # the body, cut at 20,000 characters
    duration_ms: Mapped[int]
    transaction_id: Mapped[str | None] = mapped_column(String(35))


class CbuiPipeline(Base):
    """A buyer's walk through the Co-Branded pages, from the signed start to the redirect."""

    __tablename__ = "cbui_pipeline"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    pipeline_name: Mapped[str] = mapped_column(String(16))
    params: Mapped[str] = mapped_column(Text)  # JSON of the validated inputs
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    payment_method: Mapped[str | None] = mapped_column(String(3))
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_method.id"))
    state: Mapped[str] = mapped_column(String(12), default="started")
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
