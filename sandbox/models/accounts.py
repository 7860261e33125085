"""Accounts and the payment methods buyers pay with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


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
