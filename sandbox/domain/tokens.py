"""Installing an instrument with its tokens (what a Co-Branded pipeline creates), token checks
shared by every action that spends one, and usage limits per period."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select

from ..models import FpsTransaction, Instrument, Token, UsageLimit
from . import errors
from .accounts import Party
from .ids import IdGenerator
from .money import display, plain
from .statuses import Operation, Status, TokenStatus

PERIOD_UNITS = ("Hour", "Day", "Week", "Month", "Year")


class PipelineRefused(Exception):
    """The Co-Branded pipeline cannot install: `status` is the CBUI status code (NP, ...)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limit:
    """At most `value` (cents for Amount, a number for Count) per `count` `unit`s."""

    kind: str  # Amount | Count
    count: int
    unit: str
    value: int

    def describe(self) -> str:
        shown = display(self.value) if self.kind == "Amount" else f"{self.value} payments"
        return f"{shown} per {self.count} {self.unit}{'s' if self.count > 1 else ''}"


@dataclass(frozen=True)
class Installed:
    """The public ids of a new instrument and its tokens, by role."""

    instrument_id: str
    token_ids: dict[str, str]


def install(conn: Connection, caller: Party, buyer: Party, *, refs: dict[str, str], roles_methods: dict[str, str],
            instrument: dict, now: datetime, ids: IdGenerator, limits: dict[str, tuple[Limit, ...]] | None = None,
            ) -> Installed:
    """Create an instrument and one token per role (`refs` maps caller reference -> role).

    The same references from the same buyer answer the ids installed before; references used
    any other way are refused with NP.
    """
    if buyer.id == caller.id:
        raise PipelineRefused("NP", "The sender and the recipient are the same account.")
    existing = _existing(conn, caller.id, buyer.id, refs)
    if existing:
        return existing
    instrument_id = ids.token_id()
    pk = conn.execute(insert(Instrument).values(
        instrument_id=instrument_id, caller_id=caller.id, sender_id=buyer.id, recipient_id=caller.id,
        created_at=now, **instrument)).inserted_primary_key[0]
    token_ids = {}
    for ref, role in refs.items():
        token_ids[role] = ids.token_id()
        token_pk = conn.execute(insert(Token).values(
            token_id=token_ids[role], role=role, token_type="MultiUse", instrument_pk=pk, caller_id=caller.id,
            sender_id=buyer.id, recipient_id=caller.id, caller_reference=ref, status=TokenStatus.ACTIVE,
            payment_method=roles_methods[role], payment_reason=instrument.get("payment_reason"),
            validity_start=instrument["validity_start"], validity_expiry=instrument["validity_expiry"],
            date_installed=now)).inserted_primary_key[0]
        for position, limit in enumerate((limits or {}).get(role, ()), start=1):
            conn.execute(insert(UsageLimit).values(token_pk=token_pk, position=position, kind=limit.kind,
                                                   period_count=limit.count, period_unit=limit.unit,
                                                   value=limit.value))
    return Installed(instrument_id, token_ids)


def _existing(conn: Connection, caller_id: int, buyer_id: int, refs: dict[str, str]) -> Installed | None:
    rows = conn.execute(
        select(Token.role, Token.token_id, Token.sender_id, Token.instrument_pk, Token.caller_reference,
               Instrument.instrument_id)
        .join(Instrument, Instrument.id == Token.instrument_pk)
        .where(Token.caller_id == caller_id, Token.caller_reference.in_(list(refs)))
    ).all()
    if not rows:
        return None
    same = (
        len(rows) == len(refs)
        and all(refs.get(r.caller_reference) == r.role and r.sender_id == buyer_id for r in rows)
        and len({r.instrument_pk for r in rows}) == 1
    )
    if not same:
        used = ", ".join(sorted(r.caller_reference for r in rows))
        raise PipelineRefused("NP", f"The caller reference(s) [{used}] are already used by another authorization.")
    return Installed(rows[0].instrument_id, {r.role: r.token_id for r in rows})


def instrument(conn: Connection, caller: Party, instrument_id: str, kind, *, lock: bool = True,
               sender_may_read: bool = False):
    """The caller's instrument of `kind` (an InstrumentKind), row-locked for a change; InvalidParams if
    there is none, InstrumentAccessDenied if the caller is not its recipient (or sender, for reading)."""
    query = select(Instrument.__table__).where(Instrument.instrument_id == instrument_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    check_instrument(row, caller, instrument_id, kind, sender_may_read=sender_may_read)
    return row


def check_instrument(row, caller: Party, instrument_id: str, kind, *, sender_may_read: bool = False) -> None:
    """InvalidParams unless `row` is an instrument of `kind`; InstrumentAccessDenied unless the caller is its
    recipient (or its sender, for reading)."""
    if row is None or row.kind != kind.name:
        raise errors.InvalidParams(f"{kind.instrument_param} has to be a valid {kind.word} instrument ID. "
                                   f"Specified value: {instrument_id}")
    allowed = (row.recipient_id, row.sender_id) if sender_may_read else (row.recipient_id,)
    if caller.id not in allowed:
        raise errors.InstrumentAccessDenied(instrument_id=instrument_id)


def sender_token(conn: Connection, caller: Party, token_id: str, role: str, action: str, ref_name: str):
    """The caller's active `role` token, else InvalidTokenId_Sender naming the token to use."""
    token = conn.execute(select(Token.__table__).where(Token.token_id == token_id)).first()
    check_own(token, caller.id, token_id)
    if token.role != role:
        raise errors.InvalidTokenId_Sender(
            f"The sender token {token_id} is a {token.role} token; {action} takes the {ref_name}.")
    return token


def check_own(token, caller_id: int, token_id: str) -> None:
    """InvalidTokenId_Sender unless the token exists and this caller installed it (saying which, as FPS's
    wording allows: a token of another caller is the usual mistake of a two-caller integration)."""
    if token is None:
        raise errors.InvalidTokenId_Sender(token_id=token_id)
    if token.caller_id != caller_id:
        raise errors.InvalidTokenId_Sender(
            f"The sender token {token_id} belongs to another caller: only the caller that installed a token can "
            "use it.")


def check_usable(token, now: datetime, instrument_id: str, enforce_expiry: bool = True) -> None:
    """TokenNotActive_Sender for a cancelled or not-yet-valid token, InstrumentExpired after expiry."""
    if token.status != TokenStatus.ACTIVE:
        raise errors.TokenNotActive_Sender(token_id=token.token_id)
    if now < token.validity_start:
        raise errors.TokenNotActive_Sender(
            f"The sender token {token.token_id} is not valid before {token.validity_start:%Y-%m-%dT%H:%M:%SZ}."
        )
    if enforce_expiry and token.validity_expiry is not None and now >= token.validity_expiry:
        raise errors.InstrumentExpired(
            f"The instrument {instrument_id} expired at {token.validity_expiry:%Y-%m-%dT%H:%M:%SZ}."
        )


def period_start(anchor: datetime, now: datetime, count: int, unit: str) -> datetime:
    """The start of the usage period that contains `now`; periods run back to back from `anchor`."""
    if unit in ("Month", "Year"):
        months = count * (12 if unit == "Year" else 1)
        elapsed = (now.year - anchor.year) * 12 + now.month - anchor.month
        steps = elapsed // months
        start = _add_months(anchor, steps * months)
        if start > now:
            start = _add_months(anchor, (steps - 1) * months)
        return start
    length = timedelta(hours=count) * {"Hour": 1, "Day": 24, "Week": 168}[unit]
    return anchor + ((now - anchor) // length) * length


def _add_months(at: datetime, months: int) -> datetime:
    year, month = divmod(at.month - 1 + months, 12)
    year, month = at.year + year, month + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def limits_of(conn: Connection, token_pk: int) -> list:
    return conn.execute(select(UsageLimit.__table__).where(UsageLimit.token_pk == token_pk)
                        .order_by(UsageLimit.position)).all()


def used_since(conn: Connection, token_pk: int, since: datetime) -> tuple[int, int]:
    """(cents, number of payments) spent with a token since `since`, refunds not deducted."""
    used, count = conn.execute(
        select(func.coalesce(func.sum(FpsTransaction.amount_cents), 0), func.count(FpsTransaction.id))
        .where(FpsTransaction.sender_token_pk == token_pk, FpsTransaction.date_received >= since,
               FpsTransaction.operation != Operation.REFUND,
               FpsTransaction.status.in_((Status.SUCCESS, Status.PENDING)))
    ).one()
    return int(used), int(count)


def check_usage(conn: Connection, token, amount_cents: int, now: datetime) -> None:
    """TokenUsageError when this charge would pass one of the token's usage limits."""
    for limit in limits_of(conn, token.id):
        since = period_start(token.validity_start, now, limit.period_count, limit.period_unit)
        used, count = used_since(conn, token.id, since)
        spec = Limit(limit.kind, limit.period_count, limit.period_unit, limit.value)
        if (limit.kind == "Amount" and used + amount_cents > limit.value) or (
                limit.kind == "Count" and count + 1 > limit.value):
            raise errors.TokenUsageError(
                f"The token usage limit is exceeded: {spec.describe()} (period started "
                f"{since:%Y-%m-%dT%H:%M:%SZ}; used {plain(used)} in {count} payments).")
