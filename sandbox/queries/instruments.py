"""The console's instruments and tokens: lists with filters and pages; one of each with its neighbours."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..domain import kinds
from ..domain.statuses import Operation, Status, TokenStatus
from ..models import FpsTransaction, Instrument, Notification, Token
from .paging import Page, newest_first, orm
from .transactions import names, newest

KINDS = tuple(kinds.KINDS)
ROLES = tuple(role for kind in kinds.KINDS.values() for role in (kind.collect_role, kind.sender_role))
TOKEN_STATUSES = TokenStatus.ALL
SETTLED = (Operation.SETTLE_DEBT, Operation.WRITE_OFF_DEBT)


def credit_totals(conn: Connection, instrument_pks: list[int]) -> dict[tuple[int, str], int]:
    """(instrument, operation) -> total of its successful SettleDebt and WriteOffDebt transactions (a few
    per instrument: found through the partial index of operations other than Pay)."""
    rows = conn.execute(
        select(FpsTransaction.instrument_pk, FpsTransaction.operation, func.sum(FpsTransaction.amount_cents))
        .where(FpsTransaction.instrument_pk.in_(instrument_pks), FpsTransaction.status == Status.SUCCESS,
               FpsTransaction.operation.in_(SETTLED), FpsTransaction.operation != Operation.PAY)
        .group_by(FpsTransaction.instrument_pk, FpsTransaction.operation)).all()
    return {(pk, op): int(total) for pk, op, total in rows}


def instrument_exists(conn: Connection, instrument_id: str) -> bool:
    return conn.execute(select(Instrument.id).where(Instrument.instrument_id == instrument_id)).first() is not None


@dataclass
class Instruments:
    page: Page
    rows: list
    tokens: dict[int, list]
    totals: dict
    names: dict[int, str]


def instruments(conn: Connection, *, kind: str | None, caller: int | None, buyer: int | None, q: str | None,
                before: int | None) -> Instruments:
    """Instruments newest first, each with its tokens; credit ones with what was settled and written off."""
    with orm(conn) as s:
        query = select(Instrument)
        for column, value in (("kind", kind), ("caller_id", caller), ("sender_id", buyer), ("instrument_id", q)):
            if value is not None:
                query = query.where(getattr(Instrument, column) == value)
        page = newest_first(s, query, Instrument.id, before)
        shown = [row[0] for row in page.rows]
        tokens: dict[int, list[Token]] = {}
        for t in s.scalars(select(Token).where(Token.instrument_pk.in_([i.id for i in shown])).order_by(Token.id)):
            tokens.setdefault(t.instrument_pk, []).append(t)
        return Instruments(page, shown, tokens, credit_totals(conn, [i.id for i in shown]), names(s))


@dataclass
class InstrumentDetail:
    inst: Instrument
    tokens: list
    txns: list
    totals: dict
    book: str
    names: dict[int, str]


def instrument(conn: Connection, instrument_id: str) -> InstrumentDetail | None:
    """One instrument: its tokens, its newest transactions, its ledger book and its headline figure."""
    with orm(conn) as s:
        inst = s.scalars(select(Instrument).where(Instrument.instrument_id == instrument_id)).first()
        if inst is None:
            return None
        return InstrumentDetail(
            inst=inst, tokens=s.scalars(select(Token).where(Token.instrument_pk == inst.id).order_by(Token.id)).all(),
            txns=newest(s, 20, instrument_pk=inst.id), totals=credit_totals(conn, [inst.id]),
            book=kinds.of(inst.kind).book(inst.id), names=names(s))


def token_exists(conn: Connection, token_id: str) -> bool:
    return conn.execute(select(Token.id).where(Token.token_id == token_id)).first() is not None


def tokens(conn: Connection, *, role: str | None, status: str | None, caller: int | None, buyer: int | None,
           caller_reference: str | None, before: int | None) -> tuple[Page, dict[int, str]]:
    """Tokens newest first, each with its instrument id; and every account's name."""
    with orm(conn) as s:
        query = select(Token, Instrument.instrument_id).join(Instrument, Instrument.id == Token.instrument_pk)
        for column, value in (("role", role), ("status", status), ("caller_id", caller), ("sender_id", buyer),
                              ("caller_reference", caller_reference)):
            if value is not None:
                query = query.where(getattr(Token, column) == value)
        return newest_first(s, query, Token.id, before), names(s)


@dataclass
class TokenDetail:
    tok: Token
    inst: Instrument
    limits: list
    siblings: list
    txns: list
    notes: list
    names: dict[int, str]


def token(conn: Connection, token_id: str) -> TokenDetail | None:
    """One token: its usage limits, instrument, sibling token, transactions and cancellation notices."""
    with orm(conn) as s:
        tok = s.scalars(select(Token).where(Token.token_id == token_id)).first()
        if tok is None:
            return None
        return TokenDetail(
            tok=tok, inst=s.get(Instrument, tok.instrument_pk), limits=list(tok.usage_limits),
            siblings=s.scalars(select(Token).where(Token.instrument_pk == tok.instrument_pk, Token.id != tok.id)
                               .order_by(Token.id)).all(),
            txns=newest(s, 20, sender_token_pk=tok.id),
            notes=conn.execute(select(Notification.id, Notification.created_at, Notification.notification_type,
                                      Notification.state).where(Notification.token_pk == tok.id)
                               .order_by(Notification.id)).all(),
            names=names(s))
