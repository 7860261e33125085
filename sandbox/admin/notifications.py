"""The IPN inbox and the notification settings of each caller."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..runtime import ipn
from ..domain import notifications
from ..models import Account, DeliveryAttempt, FpsTransaction, Notification, Token
from ..runtime.services import services
from ..urls import valid_http_url
from .blueprint import bp
from .forms import ActionForm, EditFieldsForm, IpnSettingsForm, parse_name_values
from .paging import arg, int_arg, newest_first

STATES = ("queued", "delivered", "failed", "no_url", "dropped")


@bp.route("/notifications")
def inbox():
    """Every notification, newest first, whether or not it could be sent: filter by state or caller;
    search by the TransactionId or token id it is about."""
    state, caller, q = arg("state", STATES), int_arg("caller"), arg("q")
    with services().storage.read() as conn:
        s = Session(bind=conn)
        query = (select(Notification, Account.name, FpsTransaction.transaction_id, FpsTransaction.operation,
                        Token.token_id)
                 .join(Account, Account.id == Notification.caller_id)
                 .outerjoin(FpsTransaction, FpsTransaction.id == Notification.transaction_pk)
                 .outerjoin(Token, Token.id == Notification.token_pk))
        if state:
            query = query.where(Notification.state == state)
        if caller:
            query = query.where(Notification.caller_id == caller)
        if q:  # what it is about: a transaction or a token (each through its own index)
            txn = s.scalar(select(FpsTransaction.id).where(FpsTransaction.transaction_id == q))
            token = s.scalar(select(Token.id).where(Token.token_id == q))
            query = query.where(Notification.transaction_pk == txn) if txn else \
                query.where(Notification.token_pk == (token or 0))
        page = newest_first(s, query, Notification.id)
        waiting = conn.execute(select(func.count()).select_from(Notification).where(Notification.state == "queued")).scalar()
        callers = s.execute(select(Account.id, Account.name).where(Account.access_key.is_not(None))).all()
        s.close()
    return render_template("admin/notifications.html", page=page, state=state, caller=caller, q=q, waiting=waiting,
                           states=STATES, callers=callers, schedule=ipn.schedule_text(services()))


@bp.route("/notifications/<row:pk>", methods=["GET", "POST"])
def notification(pk: int):
    """One notification: its fields, how it is signed, every attempt, what happens next."""
    svc = services()
    edit_form = EditFieldsForm()
    if edit_form.validate_on_submit():
        try:
            fields = parse_name_values(edit_form.fields.data)
        except ValueError as exc:
            fields = None
            flash(f"Not saved: {exc}.")
        if fields:
            ipn.edit(svc, pk, fields)
            sent = ipn.deliver(svc, pk, manual=True)
            flash("Saved the edited fields and resent." if sent else "Saved; not sent: there is no URL to send to.")
            return redirect(url_for("admin.notification", pk=pk))
    with svc.storage.read() as conn:
        n = conn.execute(select(Notification.__table__).where(Notification.id == pk)).first()
        if n is None:
            abort(404)
        fields = notifications.fields(conn, n)
        url = n.url or conn.execute(select(Account.ipn_url).where(Account.id == n.caller_id)).scalar()
        signed = ipn.signed_fields(svc, conn, n, url) if url else None
        attempts = conn.execute(select(DeliveryAttempt.__table__).where(DeliveryAttempt.notification_pk == pk)
                                .order_by(DeliveryAttempt.id)).all()
        caller = conn.execute(select(Account.name).where(Account.id == n.caller_id)).scalar_one()
        txn_id = conn.execute(select(FpsTransaction.transaction_id)
                              .where(FpsTransaction.id == n.transaction_pk)).scalar() if n.transaction_pk else None
        token_id = conn.execute(select(Token.token_id).where(Token.id == n.token_pk)).scalar() if n.token_pk else None
    if not edit_form.fields.data:
        edit_form.fields.data = "\n".join(f"{k}={v}" for k, v in fields.items())
    return render_template("admin/notification.html", n=n, fields=fields, signed=signed, url=url,
                           attempts=attempts, caller=caller, txn_id=txn_id, token_id=token_id, edit_form=edit_form,
                           resend_form=ActionForm(), schedule=svc.ipn_schedule)


@bp.route("/notifications/<row:pk>/resend", methods=["POST"])
def resend(pk: int):
    """Send a notification again now, whatever happened to it before."""
    if not ActionForm().validate_on_submit():
        abort(400)
    sent = ipn.deliver(services(), pk, manual=True)
    flash("Resent." if sent else "Not sent: there is no notification URL for this caller.")
    return redirect(url_for("admin.notification", pk=pk))


@bp.route("/ipn-settings", methods=["GET", "POST"])
def ipn_settings():
    """Each caller's notification URL, and the switches that make delivery misbehave on purpose."""
    svc = services()
    with svc.storage.read() as conn:
        callers = conn.execute(select(Account.__table__).where(Account.access_key.is_not(None))
                               .order_by(Account.id)).all()
    forms = {}
    for c in callers:
        form = IpnSettingsForm(prefix=f"c{c.id}")
        if request.method == "GET" or request.form.get("caller") != str(c.id):
            form.process(data={"url": c.ipn_url or "", "twice": c.ipn_twice, "reorder": c.ipn_reorder,
                               "delay_seconds": c.ipn_delay_seconds, "drop": c.ipn_drop,
                               "fail_first": c.ipn_fail_first})
        forms[c.id] = form
    chosen = request.form.get("caller", type=int)
    if request.method == "POST" and chosen in forms:
        form = forms[chosen]
        if form.validate_on_submit():
            url = (form.url.data or "").strip() or None
            if url is not None and not valid_http_url(url):
                flash("Not saved: the notification URL must be an http or https URL.")
            else:
                with svc.storage.write() as conn:
                    conn.execute(update(Account).where(Account.id == chosen).values(
                        ipn_url=url, ipn_twice=form.twice.data, ipn_reorder=form.reorder.data,
                        ipn_delay_seconds=form.delay_seconds.data or 0, ipn_drop=form.drop.data,
                        ipn_fail_first=form.fail_first.data or 0))
                flash("Saved the notification settings.")
                return redirect(url_for("admin.ipn_settings"))
    return render_template("admin/ipn_settings.html", callers=callers, forms=forms)
