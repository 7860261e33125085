"""The one Query-API route: authenticate, dispatch on Action, render FPS XML."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from flask import current_app, redirect, request, url_for
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from ..domain import completion, driver_sql, errors, outcomes, transactions
from ..domain.accounts import CallerContext, caller_context
from ..domain.call import Call
from ..domain.clock import utcnow
from ..runtime import request_log
from ..runtime.dispatch import IN_PROCESS, ORIGIN
from ..runtime.services import catch_up, services
from . import auth
from .blueprint import bp
from .actions import NOT_YET, REGISTRY, Action
from .params import parse, single_values
from .render import render_action, render_error

log = logging.getLogger(__name__)
SUBJECTS = ("SenderTokenId", "TokenId", "PrepaidInstrumentId", "CreditInstrumentId", "TransactionId")  # logged


@bp.route("/", methods=["GET", "POST"], provide_automatic_options=False)  # OPTIONS: FPS XML 405 too
def query():
    """FPS's endpoint root: GET with a query string, or POST with a form body and/or query."""
    if request.method == "GET" and not request.query_string:
        return redirect(url_for("admin.index"))
    face = request.environ.get(ORIGIN) if request.environ.get(ORIGIN) in IN_PROCESS else "api"  # runtime/dispatch.py
    entry = request_log.Entry(services().ids.request_id(), face, request.method, request.host, request.path, {},
                              time.monotonic())
    error = None
    try:
        response = _answer(entry)
    except errors.FpsError as err:
        error = err
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
        error = errors.InvalidParams(f"The request is larger than {limit} KiB.")
    except Exception:  # a real server fault: FPS XML with 500, never a traceback page
        log.exception("InternalError answering %s", entry.action)
        error = errors.InternalError()
    if error is not None:
        if getattr(error, "causes", None) is not None:
            entry.verdict, entry.string_to_sign, entry.diagnosis = "mismatch", error.string_to_sign, error.causes
        response = render_error(error, entry.request_id)
    svc = services()
    svc.request_log.record(entry, at=svc.clock.now(), http_status=response.status_code,
                           response=response.get_data(as_text=True), error_code=error.code if error else None)
    return response


def _answer(entry: request_log.Entry):
    values = _all_values()
    entry.params = {k: v[0] if len(v) == 1 else v for k, v in values.items()}
    params = single_values(values)
    entry.action, entry.access_key = params.get("Action"), params.get("AWSAccessKeyId")
    entry.subject = next((params[name] for name in SUBJECTS if params.get(name)), None)
    req = auth.Request(request.method, request.host, request.path, params, order=list(values))
    return _run(REGISTRY.get(params.get("Action", "")), req, entry)


def _all_values() -> dict[str, list[str]]:
    """Query-string and form-body parameters together (a name in both counts as repeated)."""
    merged = request.args.to_dict(flat=False)
    for name, values in request.form.to_dict(flat=False).items():
        merged.setdefault(name, []).extend(values)
    return merged


def _authenticate(conn, req: auth.Request, act: Action | None, entry: request_log.Entry, ahead: bool
                  ) -> tuple[CallerContext, str]:
    """Access key, signature, time, version and parameter names; answers the caller's context (with the
    handler's read, when `ahead`) and the response namespace."""
    svc = services()
    params = req.params
    if act is not None and act.public and not params.keys() & auth.CREDENTIALS:
        namespace = auth.check_version(params)  # no caller: nothing is due, no fault applies
        _check_names(act, params, namespace)
        entry.verdict = "unsigned"
        return CallerContext(None, anything_due=False, faults_armed=False), namespace
    reference = params.get("CallerReference") if act is not None and act.takes_caller_reference else None
    read = act.prefetch(params) if ahead and act is not None and act.prefetch is not None else None
    context = caller_context(conn, auth.require(params, "AWSAccessKeyId"), svc.clock.now(), reference, read)
    caller = context.caller
    if caller is None:
        raise errors.InvalidClientTokenId()
    entry.caller_id = caller.id
    verdict = auth.check_signature(req, caller, svc.signature_mode)
    if verdict is not None:
        entry.verdict = "ok"  # its string to sign is recomputed from the logged request when shown
    auth.check_time(params, utcnow(), svc.clock_skew)
    namespace = auth.check_version(params)
    if act is None:
        _lookup(auth.require(params, "Action"))
    _check_names(act, params, namespace)
    return context, namespace


def _lookup(name: str) -> None:
    """InvalidAction for an action the registry does not have."""
    if name in NOT_YET:
        raise errors.InvalidAction(f"The action {name} is an FPS action this sandbox does not emulate yet.")
    raise errors.InvalidAction(action=name[:64])


def _check_names(act: Action, params: dict[str, str], namespace: str) -> None:
    """InvalidRequest for a parameter the action does not have in the request's API version (FPS's
    own wording, naming the request's namespace)."""
    allowed = act.allowed_in(params["Version"])
    for name in params:
        if name not in auth.COMMON_PARAMS and name not in allowed:
            raise errors.InvalidRequest(namespace=namespace, name=name[:64])


class _Due(Exception):
    """A read found Pending transactions due to complete (raised before the handler runs)."""


class _Armed(Exception):
    """An armed fault applies to this call (raised before the handler runs)."""

    def __init__(self, fault: outcomes.ArmedFault) -> None:
        super().__init__(fault.id)
        self.fault = fault


def _run(act: Action | None, req: auth.Request, entry: request_log.Entry):
    """Authenticate and run the handler in one unit of work (one connection, one transaction).

    An armed fault is taken in a unit of its own, then answered: an error, a delay, or a
    forced Pending-then-Failure. A lost CallerReference race is retried once. A write whose row changed
    after it was read ahead (a guarded write that matched nothing) is done again without reading ahead.
    """
    svc = services()
    writes = act is not None and act.writes
    check_faults, forced, retried, caught_up = True, None, False, False
    ahead = not (writes and svc.storage.is_sqlite)  # SQLite: a write reads under its lock (no round trip to save)
    while True:
        try:
            return _attempt(svc, act, req, writes, check_faults, forced, entry, caught_up, ahead)
        except driver_sql.Changed:
            ahead = False
        except _Due:
            catch_up(svc)  # a read must see the transactions that completed by now
            caught_up = True
        except _Armed as armed:
            check_faults = False
            forced = _take(svc, armed.fault)
        except IntegrityError:
            if retried:
                raise errors.ConcurrentModification() from None
            retried = True
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                raise errors.ServiceUnavailable("The database is busy. Please retry the request.") from None
            raise


def _attempt(svc, act: Action | None, req: auth.Request, writes: bool, check_faults: bool,
             forced: outcomes.Forced | None, entry: request_log.Entry, caught_up: bool, ahead: bool):
    """One unit of work: admit the request, run the handler, render.

    A write is admitted (authenticated, its faults and parameters checked) by reads without a transaction,
    on the connection it then writes on, before it takes the write lock: the lock is held for the change
    alone (on SQLite it serializes every server process). Due Pending transactions are completed first: in
    the write's transaction, or in a unit of their own (then this one again) for a read, which cannot write.
    `ahead`: the handler's own read (Action.prefetch) travels with the caller's; a write must check again
    what it relies on (a guarded write, domain/linked_rows.py).
    """
    if not writes:
        with svc.storage.read(snapshot=act is None or not act.one_read) as conn:
            context, namespace, args, fields = _admit(conn, svc, act, req, entry, check_faults, ahead)
            if context.anything_due and not caught_up:
                raise _Due()
            return _handle(conn, svc, act, req, entry, context, namespace, args, fields, forced, log_in=False)
    with svc.storage.read(snapshot=False) as reads:
        context, namespace, args, fields = _admit(reads, svc, act, req, entry, check_faults, ahead)
        with svc.storage.write(on=reads) as conn:
            if context.anything_due:  # what was read ahead is from before they completed: read it again
                completion.complete_due(conn, svc.clock.now(), svc.policy)
                context = replace(context, earlier=None, read=None)
            elif context.earlier is not None and context.earlier.transaction_id is not None:
                context = replace(context, earlier=None)  # a status read before the lock may have changed
            # (a CallerReference that was free may be taken by now: the unique key refuses it, and _run retries)
            response = _handle(conn, svc, act, req, entry, context, namespace, args, fields, forced,
                               log_in=svc.request_log.durable)
    entry.logged = svc.request_log.durable  # committed, log entry included
    return response


def _admit(conn, svc, act: Action | None, req: auth.Request, entry: request_log.Entry, check_faults: bool,
           ahead: bool):
    """Authenticate, look for an armed fault, read every declared parameter (FPS errors, in that order);
    answers the caller's context, the response namespace, the arguments and the call's fields."""
    context, namespace = _authenticate(conn, req, act, entry, ahead)
    if check_faults and context.faults_armed:
        fault = outcomes.matching(conn, act.name)
        if fault is not None:
            raise _Armed(fault)
    args, fields = parse(act.params, req.params)  # every declared parameter, in order: FPS errors
    return context, namespace, args, fields


def _handle(conn, svc, act: Action, req: auth.Request, entry: request_log.Entry, context: CallerContext,
            namespace: str, args, fields: dict, forced: outcomes.Forced | None, log_in: bool):
    """Run the handler and render its answer; `log_in`: log it in this unit (a write's durable log)."""
    call = _call(conn, context, act, req.params, fields, svc, forced)
    values = act.handler(call, args)
    result = values.get("result")
    entry.transaction_id = result.transaction_id if result is not None else None
    response = render_action(act.name, namespace, entry.request_id + ":0", values)
    if log_in:  # logged with the change it made: a crash cannot part them
        svc.request_log.record_in(conn, entry, at=call.now, http_status=response.status_code,
                                  response=response.get_data(as_text=True))
    return response


def _call(conn, context: CallerContext, act: Action, params: dict[str, str], fields: dict, svc,
          forced: outcomes.Forced | None) -> Call:
    """The call value every domain operation of this request takes: `fields` are the parameters that
    belong to it (CallerReference, the descriptions); the request's fingerprint is computed once."""
    if act.takes_caller_reference:
        business = {k: v for k, v in params.items() if k not in auth.COMMON_PARAMS}
        fields["fingerprint"] = transactions.fingerprint(act.name, business)
    return Call(conn, context.caller, svc.clock.now(), svc.ids, svc.policy, forced=forced, earlier=context.earlier,
                read=context.read, **fields)


def _take(svc, fault: outcomes.ArmedFault) -> outcomes.Forced | None:
    """Use up one call of the fault and act on it; answers the outcome to force, if any."""
    with svc.storage.write() as conn:
        if not outcomes.consume(conn, fault):
            return None  # another request used its last call: this one runs normally
    if fault.mode == "error":
        raise outcomes.forced_error(fault)
    if fault.mode == "delay":
        time.sleep(fault.delay_ms / 1000)
        return None
    return outcomes.Forced(fault.error_code, pending=True)


@bp.route("/certs/<cert_dir>/PKICert.pem")
def certificate(cert_dir: str):
    """The certificate that verifies the sandbox's return-URL and notification signatures."""
    svc = services()
    if cert_dir != svc.signer.cert_dir:
        return current_app.response_class("No such certificate.\n", status=404, mimetype="text/plain")
    return current_app.response_class(svc.signer.cert_pem, mimetype="application/x-pem-file")
