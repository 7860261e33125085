"""Instruments and the tokens that spend or fund them, with their usage limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


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
