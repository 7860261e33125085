"""The console's request log: every API call and Co-Branded start, filtered and searched."""

from __future__ import annotations

from sqlalchemy import Connection, select

from ..models import ApiCall
from .paging import Page, newest_first

COLUMNS = (ApiCall.id, ApiCall.at, ApiCall.face, ApiCall.action, ApiCall.access_key, ApiCall.http_status,
           ApiCall.error_code, ApiCall.verdict, ApiCall.duration_ms, ApiCall.transaction_id)


def by_request_id(conn: Connection, request_id: str) -> int | None:
    """The call answered with this RequestId (a success's carries a ":0" suffix, an error's does not)."""
    return conn.execute(select(ApiCall.id).where(ApiCall.request_id.in_({request_id, request_id.rsplit(":", 1)[0]})))\
        .scalar()


def calls(conn: Connection, *, action: str | None, key: str | None, errors_only: bool, transaction_id: str | None,
          before: int | None) -> Page:
    query = select(*COLUMNS)
    if action:
        query = query.where(ApiCall.action == action)
    if key:
        query = query.where(ApiCall.access_key == key)
    if errors_only:
        query = query.where(ApiCall.error_code.is_not(None))
    if transaction_id:
        query = query.where(ApiCall.transaction_id == transaction_id)
    return newest_first(conn, query, ApiCall.id, before)


def call(conn: Connection, pk: int):
    return conn.execute(select(ApiCall.__table__).where(ApiCall.id == pk)).first()


def refused(conn: Connection, subjects: list[str], limit: int = 20) -> list:
    """The newest refused calls that named one of `subjects` (token, instrument or transaction ids)."""
    return conn.execute(select(ApiCall.id, ApiCall.at, ApiCall.face, ApiCall.action, ApiCall.error_code,
                               ApiCall.subject)
                        .where(ApiCall.error_code.is_not(None), ApiCall.subject.in_(subjects))
                        .order_by(ApiCall.id.desc()).limit(limit)).all()
