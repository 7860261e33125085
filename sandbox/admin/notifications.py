"""The IPN inbox and the notification settings of each caller."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..domain import notifications
from ..domain.accounts import IpnSettings, save_ipn_settings
from ..queries import notifications as query
from ..runtime import ipn
from ..runtime.services import services
from ..urls import valid_notification_url
from .blueprint import bp
from .forms import ActionForm, EditFieldsForm, IpnSettingsForm, parse_name_values
from .paging import arg, before, int_arg


@bp.route("/notifications")
def inbox():
    """Every notification, newest first, whether or not it could be sent: filter by state or caller;
    search by the TransactionId or token id it is about."""
    state, caller, q = arg("state", query.STATES), int_arg("caller"), arg("q")
    with services().storage.read() as conn:
        page, waiting = query.inbox(conn, state=state, caller=caller, about=q, before=before())
        callers = query.callers(conn)
    return render_template("admin/notifications.html", page=page, state=state, caller=caller, q=q, waiting=waiting,
                           most=query.WAITING_SHOWN,
                           states=query.STATES, callers=callers, schedule=ipn.schedule_text(services()))


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
        detail = query.notification(conn, pk)
        if detail is None:
            abort(404)
        fields = notifications.fields(conn, detail.n)
        signed = ipn.signed_fields(svc, conn, detail.n, detail.url) if detail.url else None
    if not edit_form.fields.data:
        edit_form.fields.data = "\n".join(f"{k}={v}" for k, v in fields.items())
    return render_template("admin/notification.html", **vars(detail), fields=fields, signed=signed,
                           edit_form=edit_form, resend_form=ActionForm(), schedule=svc.ipn_schedule)


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
        callers = query.callers(conn)
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
            if url is not None and not valid_notification_url(url):
                flash("Not saved: the notification URL must be an http or https URL, or a path on this sandbox such as "
                      "/merchant/ipn/mytest.")
            else:
                with svc.storage.write() as conn:
                    save_ipn_settings(conn, chosen, IpnSettings(
                        url, twice=form.twice.data, reorder=form.reorder.data,
                        delay_seconds=form.delay_seconds.data or 0, drop=form.drop.data,
                        fail_first=form.fail_first.data or 0))
                flash("Saved the notification settings.")
                return redirect(url_for("admin.ipn_settings"))
    return render_template("admin/ipn_settings.html", callers=callers, forms=forms)
