"""Who talked to whom, from the request log and the notifications: the messages of a transaction, a token or
a caller, in time order, for the console's sequence diagrams (admin/diagrams.py draws them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from ..models import Account, ApiCall, DeliveryAttempt, FpsTransaction, Notification, Token

BROWSER, MERCHANT, CBUI, API, IPN = "browser", "merchant", "cbui", "api", "ipn"
PARTICIPANTS = {BROWSER: "Buyer's browser", MERCHANT: "Merchant (caller)", CBUI: "Co-Branded pages",
                API: "FPS API", IPN: "IPN receiver"}
MOST = 60  # messages drawn at most (a diagram of a busy token shows its first ones)
RETURN_STATUS = {"ABT": "SA", "ACH": "SB", "CC": "SC"}


@dataclass(frozen=True)
class Message:
    at: datetime
    order: int  # ties at the same instant keep the order they happened in
    source: str
    target: str
    label: str
    note: str = ""
    link: tuple[str, object] | None = None  # ("request", pk), ("notification", pk), ("token", id)
    reply: bool = False


def _calls(conn: Connection, query) -> list[Message]:
    out = []
    for c in conn.execute(query).all():
        sent_from = "" if c.face == "api" else f"sent by the {c.face}"
        out.append(Message(c.at, c.id * 10, MERCHANT, API, c.action or "(no Action)", sent_from, ("request", c.id)))
        answer = f"{c.http_status} {c.error_code}" if c.error_code else f"{c.http_status} OK"
        out.append(Message(c.at, c.id * 10 + 1, API, MERCHANT, answer, reply=True, link=("request", c.id)))
    return out


def _columns():
    return select(ApiCall.id, ApiCall.at, ApiCall.face, ApiCall.action, ApiCall.http_status, ApiCall.error_code)


def _installs(conn: Connection, tokens: list) -> list[Message]:
    """The Co-Branded walk that installed these tokens: the signed start, and the redirect back."""
    out, refs = [], {t.caller_reference for t in tokens}
    if not tokens:
        return out
    key = conn.execute(select(Account.access_key).where(Account.id == tokens[0].caller_id)).scalar()
    starts = conn.execute(select(ApiCall.id, ApiCall.at, ApiCall.params, ApiCall.http_status)
                          .where(ApiCall.face == "cbui", ApiCall.access_key == key)
                          .order_by(ApiCall.id.desc()).limit(500)).all()
    for s in starts:
        values = json.loads(s.params).values() if s.params.startswith("{") else ()
        if refs & {v for v in values if isinstance(v, str)}:
            out.append(Message(s.at, s.id * 10, BROWSER, CBUI, "GET signed start link", link=("request", s.id)))
            out.append(Message(s.at, s.id * 10 + 1, CBUI, BROWSER, f"{s.http_status} sign-in page", reply=True))
    first = min(tokens, key=lambda t: t.id)
    status = RETURN_STATUS.get(first.payment_method, "SA")
    out.append(Message(first.date_installed, 0, CBUI, BROWSER, "302 to the returnURL", f"status={status}",
                       ("token", first.token_id), reply=True))
    out.append(Message(first.date_installed, 1, BROWSER, MERCHANT, "GET returnURL (signed)", "the ids installed",
                       ("token", first.token_id)))
    return out


def _deliveries(conn: Connection, where) -> list[Message]:
    rows = conn.execute(select(DeliveryAttempt.id, DeliveryAttempt.at, DeliveryAttempt.outcome,
                               DeliveryAttempt.http_status, Notification.id.label("pk"),
                               Notification.notification_type, Notification.status)
                        .join(Notification, Notification.id == DeliveryAttempt.notification_pk).where(where)
                        .order_by(DeliveryAttempt.id).limit(MOST)).all()
    return [Message(r.at, r.id * 10, API, IPN, f"POST {r.notification_type}", f"{r.outcome}"
                    + (f", answered {r.http_status}" if r.http_status else ""), ("notification", r.pk))
            for r in rows]


def _sorted(messages: list[Message]) -> list[Message]:
    return sorted(messages, key=lambda m: (m.at, m.order))[:MOST]


def for_transaction(conn: Connection, transaction_id: str) -> list[Message]:
    """The token's installation, the calls about the transaction (answered or refused), its notifications."""
    txn = conn.execute(select(FpsTransaction.id, FpsTransaction.sender_token_pk)
                       .where(FpsTransaction.transaction_id == transaction_id)).first()
    if txn is None:
        return []
    messages = _calls(conn, _columns().where(ApiCall.transaction_id == transaction_id))
    messages += _calls(conn, _columns().where(ApiCall.error_code.is_not(None), ApiCall.subject == transaction_id))
    if txn.sender_token_pk:
        token = conn.execute(select(Token.__table__).where(Token.id == txn.sender_token_pk)).first()
        siblings = conn.execute(select(Token.__table__).where(Token.instrument_pk == token.instrument_pk)).all()
        messages += _installs(conn, siblings)
    messages += _deliveries(conn, Notification.transaction_pk == txn.id)
    return _sorted(messages)


def for_token(conn: Connection, token_id: str) -> list[Message]:
    """The token's installation, the calls that used it (its first transactions and every refusal), its
    cancellation notice."""
    token = conn.execute(select(Token.__table__).where(Token.token_id == token_id)).first()
    if token is None:
        return []
    siblings = conn.execute(select(Token.__table__).where(Token.instrument_pk == token.instrument_pk)).all()
    paid = conn.execute(select(FpsTransaction.transaction_id).where(FpsTransaction.sender_token_pk == token.id)
                        .order_by(FpsTransaction.id).limit(MOST // 2)).scalars().all()
    messages = _installs(conn, siblings)
    if paid:
        messages += _calls(conn, _columns().where(ApiCall.transaction_id.in_(paid)))
    messages += _calls(conn, _columns().where(ApiCall.error_code.is_not(None), ApiCall.subject == token_id)
                       .order_by(ApiCall.id).limit(MOST // 2))
    messages += _deliveries(conn, Notification.token_pk == token.id)
    return _sorted(messages)


def for_caller(conn: Connection, caller_id: int, since_id: int = 0) -> list[Message]:
    """Everything a caller (a lesson's own) sent and was sent, oldest first."""
    key = conn.execute(select(Account.access_key).where(Account.id == caller_id)).scalar()
    messages = _calls(conn, _columns().where(ApiCall.access_key == key, ApiCall.face != "cbui", ApiCall.id > since_id)
                      .order_by(ApiCall.id).limit(MOST))
    tokens = conn.execute(select(Token.__table__).where(Token.caller_id == caller_id).order_by(Token.id)).all()
    by_instrument: dict[int, list] = {}
    for t in tokens:
        by_instrument.setdefault(t.instrument_pk, []).append(t)
    for group in by_instrument.values():
        messages += _installs(conn, group)
    messages += _deliveries(conn, Notification.caller_id == caller_id)
    return _sorted(messages)
