"""The sandbox's own tables: facts about the database, notifications, faults, the request log, Co-Branded pipelines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, partial_index


class SandboxMeta(Base):
    """Facts about the database itself: the sandbox clock's offset, the running totals' watermarks, and
    `schema_version`, read only to recognise a database made before migrations (sandbox/runtime/schema.py)."""

    __tablename__ = "sandbox_meta"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


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
                      partial_index("ix_api_call_errors", "id", where="error_code IS NOT NULL"),
                      partial_index("ix_api_call_refused_subject", "subject", "id", where="error_code IS NOT NULL"),
                      partial_index("ix_api_call_cbui", "access_key", "id", where="face = 'cbui'"))
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column()
    face: Mapped[str] = mapped_column(String(8))  # api | cbui | console (admin/dispatch.py)
    action: Mapped[str | None] = mapped_column(String(64))
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    access_key: Mapped[str | None] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    host: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(255))
    params: Mapped[str] = mapped_column(Text)  # JSON, as received
    verdict: Mapped[str] = mapped_column(String(10))  # ok | mismatch | unchecked | unsigned (VerifySignature)
    string_to_sign: Mapped[str | None] = mapped_column(Text)
    diagnosis: Mapped[str | None] = mapped_column(Text)  # the signature doctor's findings, one per line
    http_status: Mapped[int]
    error_code: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text)  # the body, cut at 20,000 characters
    duration_ms: Mapped[int]
    transaction_id: Mapped[str | None] = mapped_column(String(35))
    subject: Mapped[str | None] = mapped_column(String(65))  # the token, instrument or transaction id it named


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


class CaughtNotification(Base):
    """A notification the sandbox's own IPN catcher (/merchant/ipn/<name>) received, as it came."""

    __tablename__ = "caught_notification"
    __table_args__ = (Index("ix_caught_notification_name", "name", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # the catcher's name, from its URL
    at: Mapped[datetime]
    params: Mapped[str] = mapped_column(Text)  # JSON of the form fields received
    verified: Mapped[bool]  # what VerifySignature said of them
    answered: Mapped[int]  # the HTTP status the catcher answered with


class LessonRun(Base):
    """One run of a guided lesson, in a caller and a buyer of its own: the step reached, the ids it made,
    and each step's request, response and money before and after (JSON)."""

    __tablename__ = "lesson_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson: Mapped[str] = mapped_column(String(32))
    caller_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(Text)
