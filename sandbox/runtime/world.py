"""The demo world: accounts, logins, payment methods and opening balances from a JSON fixture."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from ..domain import ledger
from ..domain.ledger import Transfer
from ..domain.money import parse_cents
from ..domain.passwords import hash_password
from ..models import Account, PaymentMethod
from .schema import create_fresh, drop_everything


def load_fixture(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def is_empty(conn: Connection) -> bool:
    return conn.execute(select(Account.id).limit(1)).first() is None


def seed(conn: Connection, world: dict, now: datetime) -> dict[str, int]:
    """Create the fixture's accounts; returns account ids by fixture key."""
    keys: dict[str, int] = {}
    for acc in world["accounts"]:
        opening = parse_cents(acc.get("balance", "0.00"))
        pk = conn.execute(
            insert(Account).values(
                name=acc["name"], email=acc["email"].lower(), kind=acc["kind"],
                password=hash_password(acc["password"], salt=acc["key"]) if acc.get("password") else None,
                access_key=acc.get("access_key"), secret_key=acc.get("secret_key"), ipn_url=acc.get("ipn_url"),
                balance_cents=opening, created_at=now,
            )
        ).inserted_primary_key[0]
        keys[acc["key"]] = pk
        for pm in acc.get("payment_methods", []):
            conn.execute(insert(PaymentMethod).values(account_id=pk, method=pm["method"], label=pm["label"],
                                                      expiry=pm.get("expiry")))
        if opening:
            ledger.post(conn, f"OPENING-{pk}", [Transfer(ledger.OPENING, ledger.balance_book(pk), opening,
                                                         "opening balance of the demo world")], now)
    return keys


def reset(conn: Connection, world: dict, now: datetime) -> dict[str, int]:
    """Throw everything away: drop every table, create them again at this code's schema and seed the world
    (one transaction where the database allows)."""
    drop_everything(conn)
    create_fresh(conn)
    return seed(conn, world, now)
