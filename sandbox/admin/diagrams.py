"""Sequence diagrams of real traffic (queries/traffic.py): on a transaction's and a token's page, and as
downloadable .svg files. Each arrow links to the logged request, the notification or the token."""

from __future__ import annotations

from flask import Response, abort, url_for

from ..queries import traffic
from ..runtime.services import services
from . import sequence
from .blueprint import bp

ORDER = [traffic.BROWSER, traffic.MERCHANT, traffic.CBUI, traffic.API, traffic.IPN]
LINKS = {"request": ("admin.request_detail", "pk"), "notification": ("admin.notification", "pk"),
         "token": ("admin.token", "token_id")}


def draw(title: str, messages: list[traffic.Message], key: str = "seq") -> str:
    """The messages as an SVG sequence diagram, each arrow linking to what it came from."""
    arrows = []
    for m in messages:
        href = None
        if m.link:
            endpoint, arg = LINKS[m.link[0]]
            href = url_for(endpoint, **{arg: m.link[1]})
        arrows.append(sequence.Arrow(ORDER.index(m.source), ORDER.index(m.target), m.label, href, m.reply, m.note))
    return sequence.render(title, [traffic.PARTICIPANTS[p] for p in ORDER], arrows, key)


def _download(svg: str, name: str) -> Response:
    return Response(svg, mimetype="image/svg+xml", headers={"Content-Disposition": f'attachment; filename="{name}.svg"'})


@bp.route("/transactions/<transaction_id>/sequence.svg")
def transaction_sequence(transaction_id: str):
    with services().storage.read() as conn:
        messages = traffic.for_transaction(conn, transaction_id)
    if not messages:
        abort(404)
    return _download(draw(f"Who talked to whom: transaction {transaction_id}", messages), "sequence-" + transaction_id)


@bp.route("/tokens/<token_id>/sequence.svg")
def token_sequence(token_id: str):
    with services().storage.read() as conn:
        messages = traffic.for_token(conn, token_id)
    if not messages:
        abort(404)
    return _download(draw(f"Who talked to whom: token {token_id}", messages), "sequence-token")
