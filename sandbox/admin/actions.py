"""Refund, Cancel and CancelToken from the console.

Each asks first on a page of its own, then is sent as the caller's own signed Query-API call
(runtime/dispatch.py): the request log, the notification and the ledger lines are those of an API call.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..domain import refunds
from ..domain.statuses import Status, TokenStatus
from ..queries import instruments as instrument_query
from ..queries import transactions as transaction_query
from ..runtime.services import services
from .blueprint import bp
from ..runtime.dispatch import Answer, caller_reference, send_as
from .forms import CancelForm, RefundForm

def refundable(detail) -> int:
    """What is left to refund of a transaction, in cents (0 when it cannot be refunded)."""
    txn = detail.txn
    if txn.operation in refunds.NOT_REFUNDABLE or txn.status != Status.SUCCESS:
        return 0
    done = sum(r.amount_cents for r in detail.refunds if r.status == Status.SUCCESS)
    return txn.amount_cents - done


@bp.route("/transactions/<transaction_id>/refund", methods=["POST"])
def refund(transaction_id: str):
    """Refund all or part of a Pay, as its caller."""
    detail = _transaction(transaction_id)
    form = RefundForm()
    back = url_for("admin.transaction", transaction_id=transaction_id)
    if not form.validate_on_submit():
        flash("Not refunded: " + "; ".join(e for errs in form.errors.values() for e in errs) + ".")
        return redirect(back)
    amount = (form.amount.data or "").strip()
    if not form.confirmed.data:
        return render_template("admin/confirm.html", form=form, action="Refund", detail=detail, back=back,
                               what=f"Refund {('$' + amount) if amount else 'all that is left'} of this "
                                    f"{detail.txn.operation} to {detail.names[detail.txn.sender_id]}?")
    params = {"Action": "Refund", "TransactionId": transaction_id, "CallerReference": caller_reference("refund")}
    if amount:
        params.update({"RefundAmount.Value": amount, "RefundAmount.CurrencyCode": "USD"})
    answer = send_as(detail.txn.caller_id, params)
    return _after(answer, "Refund", back)


@bp.route("/transactions/<transaction_id>/cancel", methods=["POST"])
def cancel(transaction_id: str):
    """Cancel a Pending transaction, as its caller."""
    detail = _transaction(transaction_id)
    form = CancelForm()
    back = url_for("admin.transaction", transaction_id=transaction_id)
    if not form.validate_on_submit():
        flash("Not cancelled: the reason is at most 160 characters.")
        return redirect(back)
    if not form.confirmed.data:
        return render_template("admin/confirm.html", form=form, action="Cancel", detail=detail, back=back,
                               what=f"Cancel this Pending {detail.txn.operation}? Its money is released.")
    params = {"Action": "Cancel", "TransactionId": transaction_id}
    if form.reason.data:
        params["Description"] = form.reason.data
    return _after(send_as(detail.txn.caller_id, params), "Cancel", back)


@bp.route("/tokens/<token_id>/cancel", methods=["POST"])
def cancel_token(token_id: str):
    """Cancel a token, as the caller that installed it."""
    with services().storage.read() as conn:
        detail = instrument_query.token(conn, token_id)
    if detail is None:
        abort(404)
    form = CancelForm()
    back = url_for("admin.token", token_id=token_id)
    if not form.validate_on_submit():
        flash("Not cancelled: the reason is at most 160 characters.")
        return redirect(back)
    if not form.confirmed.data:
        what = f"Cancel this {detail.tok.role} token? Every later Pay with it is refused."
        if detail.tok.status != TokenStatus.ACTIVE:
            what = f"This token is {detail.tok.status} already; cancelling it again changes nothing. Send anyway?"
        return render_template("admin/confirm.html", form=form, action="CancelToken", detail=None, back=back,
                               what=what)
    params = {"Action": "CancelToken", "TokenId": token_id}
    if form.reason.data:
        params["ReasonText"] = form.reason.data
    return _after(send_as(detail.tok.caller_id, params), "CancelToken", back)


def _transaction(transaction_id: str):
    with services().storage.read() as conn:
        detail = transaction_query.detail(conn, transaction_id)
    if detail is None:
        abort(404)
    return detail


def _after(answer: Answer, action: str, back: str):
    """Say what FPS answered (linking the logged request) and show what the call produced."""
    log_url = url_for("admin.request_detail", pk=answer.log_pk) if answer.log_pk else "message"
    if answer.error_code:
        flash(f"FPS refused the {action}: {answer.error_code}: {answer.error_message}", log_url)
        return redirect(back)
    status = answer.values.get("TransactionStatus") or answer.values.get("Status") or "done"
    made = answer.values.get("TransactionId")
    flash(f"{action} sent as the caller: {status}" + (f", TransactionId {made}." if made else "."), log_url)
    return redirect(url_for("admin.transaction", transaction_id=made) if made else back)
