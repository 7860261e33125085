"""Sandbox-wide rules the domain applies: the fee schedule and the allowed amount range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from . import errors
from .fees import FeeSchedule
from .money import plain
from .recipients import STATUSES as RECIPIENT_STATUSES


@dataclass(frozen=True)
class Policy:
    """Configured once per application (see sandbox/config.py)."""

    fees: FeeSchedule
    min_amount_cents: int = 1
    max_amount_cents: int = 1_000_000
    pending_delay: timedelta = timedelta(0)  # card and bank money movements complete after this
    amount_triggers: bool = True  # cents .60-.89 force outcomes on FundPrepaid and SettleDebt
    recipient_verification_status: str = "Active"  # GetRecipientVerificationStatus for a recipient in good standing

    def __post_init__(self) -> None:
        if self.recipient_verification_status not in RECIPIENT_STATUSES:
            raise ValueError(f"FPS_RECIPIENT_VERIFICATION_STATUS must be one of {', '.join(RECIPIENT_STATUSES)}")

    def check_amount(self, cents: int, name: str) -> None:
        """AmountOutOfRange unless min <= cents <= max."""
        if not self.min_amount_cents <= cents <= self.max_amount_cents:
            raise errors.AmountOutOfRange(
                f"{name} {plain(cents)} is outside the allowed range "
                f"({plain(self.min_amount_cents)} to {plain(self.max_amount_cents)})."
            )
