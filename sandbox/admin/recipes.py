"""Recipes: one click for each outcome a tester needs, run in the demo world.

A recipe installs what it needs as a buyer clicking through the Co-Branded pages would (the same
domain install, with fresh caller references), then makes the caller's own signed calls
(runtime/dispatch.py), so what it produces is logged, notified and booked as real traffic.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Callable

from flask import abort, flash, redirect, render_template, request, url_for

from ..cbui.pipelines import CHECKS
from ..domain import kinds
from ..domain.accounts import buyer_by_email, party, payment_choices
from ..queries.accounts import callers
from ..runtime import ipn
from ..runtime.dispatch import Answer, send_as
from ..runtime.services import services
from ..urls import valid_http_url
from .blueprint import bp
from .forms import ActionForm

SPECIAL_SENDERS = {  # docs/forcing-outcomes.md
    "E3FR7BARJV3PB631PMKV74PGKCJLBHI1Q1KMQN7BJ2JJICPDKN3N1CJIKFZ8D7NN": "UnverifiedEmailAddress_Sender",
    "H216UECZ8ZM1G8G4QA3V7RKF8JDFZ9SI3SJAFSGUKBBNDHX1NVM8GUQRZNRNAHER": "InvalidAccountState_Sender",
    "Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX": "AccountClosed",
}
SPECIAL_RECIPIENTS = ("C4LGSEMXN11FTUXZ2X2C7QVFHN5DVBGQJNF17AIQXXXQSX4DRG4KJFCN2KRFUUZI",
                      "R3VK49XVGCAZTJSXKN7ZSBHPMFGKM5VEEQTXGMVE8CFUZ2G5RLLMAB4J6TQRL6BU",
                      "P1LL7A1LHK935DBGI5NAYCXOCLVEBHBNIU7PBXBAMRKKNLDEPI8M3MUSLZT2VANZ")


class RecipeFailed(Exception):
    """The demo world is not as a recipe needs it (a buyer or caller missing, a call refused early)."""


@dataclass
class Made:
    """What a recipe produced: a sentence, and the console page that shows it."""

    message: str
    url: str


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    outcome: str
    run: Callable[[], Made]


def _ref(what: str) -> str:
    return f"recipe-{what}-{uuid.uuid4().hex[:12]}"


def _callers() -> tuple[int, int]:
    """DigitalDownload (prepaid) and The Daily Byte (postpaid): the demo world's two callers."""
    with services().storage.read() as conn:
        found = callers(conn)
    if len(found) < 2:
        raise RecipeFailed("the demo world's two callers are not there (Reset brings them back)")
    return found[0].id, found[1].id


def _install(caller_id: int, pipeline: str, email: str, method: str, params: dict, **changes) -> dict[str, str]:
    """Install a pipeline's instrument and tokens for a demo buyer, as if they had clicked through."""
    svc = services()
    now = svc.clock.now()
    checked = CHECKS[pipeline]({"returnURL": "http://127.0.0.1/merchant/return", "paymentMethod": method,
                                **params}, now, svc.policy, method)
    if not checked.ok:
        raise RecipeFailed(checked.error_message())
    kind = kinds.BY_PIPELINE[pipeline]
    with svc.storage.write() as conn:
        buyer = buyer_by_email(conn, email)
        if buyer is None:
            raise RecipeFailed(f"the demo buyer {email} is not there (Reset brings them back)")
        choice = next((c for c in payment_choices(conn, buyer.id, (method,))), None)
        if choice is None:
            raise RecipeFailed(f"{email} has no {method} payment method")
        auth = replace(kind.authorization(checked.values, choice.method, choice.payment_method_id), **changes)
        return kind.install(conn, party(conn, caller_id), buyer, auth, now, svc.ids)


def _call(caller_id: int, action: str, expect_error: bool = False, **params) -> Answer:
    answer = send_as(caller_id, {"Action": action, **params}, origin="console")
    if answer.error_code and not expect_error:
        raise RecipeFailed(f"{action} was refused: {answer.error_code}: {answer.error_message}")
    return answer


def _amount(prefix: str, value: str) -> dict[str, str]:
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def _prepaid(caller: int, amount: str = "1.00", method: str = "ABT", **changes) -> dict[str, str]:
    return _install(caller, "SetupPrepaid", "john@example.com", method,
                    {"callerReferenceFunding": _ref("fund"), "callerReferenceSender": _ref("sender"),
                     "fundingAmount": amount}, **changes)


def _fund(caller: int, ids: dict, value: str, expect_error: bool = False) -> Answer:
    return _call(caller, "FundPrepaid", expect_error, SenderTokenId=ids["fundingTokenID"],
                 PrepaidInstrumentId=ids["prepaidInstrumentID"], CallerReference=_ref("funding"),
                 **_amount("FundingAmount", value))


def _pay(caller: int, token: str, value: str = "0.50", expect_error: bool = False, **extra) -> Answer:
    return _call(caller, "Pay", expect_error, SenderTokenId=token, CallerReference=_ref("pay"),
                 **_amount("TransactionAmount", value), **extra)


def _txn(answer: Answer) -> str:
    return url_for("admin.transaction", transaction_id=answer.values["TransactionId"])


def _triggers() -> None:
    if not services().policy.amount_triggers:
        raise RecipeFailed("it uses the amount triggers, which FPS_AMOUNT_TRIGGERS=false turned off; arm a fault "
                           "on the Faults page instead")


def declined_funding() -> Made:
    _triggers()
    dd, _ = _callers()
    ids = _prepaid(dd, "10.75")
    answer = _fund(dd, ids, "10.75")  # cents .70-.79: declined (docs/forcing-outcomes.md)
    return Made(f"FundPrepaid of $10.75: {answer.values.get('TransactionStatus')}.", _txn(answer))


def pending_then_failed_settlement() -> Made:
    _triggers()
    _, news = _callers()
    ids = _install(news, "SetupPostpaid", "reader@example.com", "CC",
                   {"callerReferenceSender": _ref("reader"), "callerReferenceSettlement": _ref("settle"),
                    "creditLimit": "20.00", "globalAmountLimit": "100.00"})
    _pay(news, ids["creditSenderTokenID"], "2.00")
    answer = _call(news, "SettleDebt", SenderTokenId=ids["settlementTokenID"],
                   CreditInstrumentId=ids["creditInstrumentID"], CallerReference=_ref("settle"),
                   **_amount("SettlementAmount", "1.65"))  # cents .60-.69: Pending, then Failure
    return Made(f"SettleDebt of $1.65: {answer.values.get('TransactionStatus')} now; it fails when it completes "
                f"({services().policy.pending_delay.total_seconds():g} s of sandbox time).", _txn(answer))


def ipn_retried_then_delivered() -> Made:
    dd, _ = _callers()
    ids = _prepaid(dd)
    _fund(dd, ids, "1.00")
    name = f"recipe-{uuid.uuid4().hex[:8]}"
    catcher = f"{ipn.base_url(services())}{url_for('merchant.catch', name=name)}?status=503&times=1"
    if not valid_http_url(catcher):
        raise RecipeFailed("the sandbox's own URL is not known yet")
    _pay(dd, ids["prepaidSenderTokenID"], Version="2010-08-28", OverrideIPNURL=catcher)
    svc = services()
    delivered = ipn.deliver_due(svc)
    retry = svc.ipn_schedule[0].total_seconds() if svc.ipn_schedule else 0
    return Made(f"Pay notified {catcher}: its first delivery was answered 503 ({delivered} attempt made now); the "
                f"retry follows {retry:g} s later on the sandbox clock and is answered 200.",
                url_for("merchant.catcher", name=name))


def refund() -> Made:
    dd, _ = _callers()
    ids = _prepaid(dd)
    _fund(dd, ids, "1.00")
    paid = _pay(dd, ids["prepaidSenderTokenID"])
    answer = _call(dd, "Refund", TransactionId=paid.values["TransactionId"], CallerReference=_ref("refund"))
    return Made(f"Pay of $0.50, then Refund: {answer.values.get('TransactionStatus')}.", _txn(answer))


def cancelled_token() -> Made:
    dd, _ = _callers()
    ids = _prepaid(dd)
    _fund(dd, ids, "1.00")
    token = ids["prepaidSenderTokenID"]
    _call(dd, "CancelToken", TokenId=token, ReasonText="cancelled by a recipe")
    refused = _pay(dd, token, expect_error=True)
    return Made(f"CancelToken, then a Pay with it: {refused.error_code}.", url_for("admin.token", token_id=token))


def expired_instrument() -> Made:
    dd, _ = _callers()
    now = services().clock.now()
    ids = _prepaid(dd, validity_start=now - timedelta(days=30), validity_expiry=now - timedelta(days=1))
    refused = _pay(dd, ids["prepaidSenderTokenID"], expect_error=True)
    return Made(f"A Pay with a token whose validity ended yesterday: {refused.error_code}.",
                url_for("admin.token", token_id=ids["prepaidSenderTokenID"]))


def usage_limit() -> Made:
    _, news = _callers()
    ids = _install(news, "SetupPostpaid", "reader@example.com", "CC",
                   {"callerReferenceSender": _ref("reader"), "callerReferenceSettlement": _ref("settle"),
                    "creditLimit": "20.00", "globalAmountLimit": "100.00", "usageLimitType1": "Count",
                    "usageLimitPeriod1": "1 Day", "usageLimitValue1": "2"})
    token = ids["creditSenderTokenID"]
    _pay(news, token, "0.25")
    _pay(news, token, "0.25")
    refused = _pay(news, token, "0.25", expect_error=True)
    return Made(f"Two Pays allowed a day, then a third: {refused.error_code}.", url_for("admin.token", token_id=token))


def insufficient_balance() -> Made:
    dd, _ = _callers()
    ids = _prepaid(dd)
    _fund(dd, ids, "1.00")
    token = ids["prepaidSenderTokenID"]
    _pay(dd, token)
    _pay(dd, token)
    refused = _pay(dd, token, expect_error=True)
    return Made(f"$1.00 funded, two $0.50 Pays, then a third: {refused.error_code}.",
                url_for("admin.token", token_id=token))


def special_tokens() -> Made:
    dd, _ = _callers()
    seen = [_pay(dd, token, expect_error=True).error_code for token in SPECIAL_SENDERS]
    seen += [_call(dd, "GetRecipientVerificationStatus", RecipientTokenId=token)
             .values.get("RecipientVerificationStatus") for token in SPECIAL_RECIPIENTS]
    return Made("Special tokens: " + ", ".join(str(s) for s in seen) + ".",
                url_for("admin.requests_log", key=_access_key(dd)))


def _access_key(caller_id: int) -> str:
    with services().storage.read() as conn:
        return next(c.access_key for c in callers(conn) if c.id == caller_id)


RECIPES = {r.name: r for r in (
    Recipe("declined-funding", "Declined funding", "FundPrepaid → Failure (TransactionDenied)",
           declined_funding),
    Recipe("pending-then-failed-settlement", "Pending, then failed settlement",
           "SettleDebt → Pending → Failure (TemporaryDecline)", pending_then_failed_settlement),
    Recipe("ipn-retried", "IPN retried, then delivered", "first delivery answered 503, the retry 200",
           ipn_retried_then_delivered),
    Recipe("refund", "A refund", "Pay → Refund → Success", refund),
    Recipe("cancelled-token", "A cancelled token", "CancelToken → the next Pay refused (TokenNotActive_Sender)",
           cancelled_token),
    Recipe("expired-instrument", "An expired instrument", "Pay after the validity ended → InstrumentExpired", expired_instrument),
    Recipe("usage-limit", "A usage-limit refusal", "the third Pay of a two-a-day token → TokenUsageError", usage_limit),
    Recipe("insufficient-balance", "Prepaid balance used up", "the third $0.50 Pay of $1.00 → InsufficientBalance",
           insufficient_balance),
    Recipe("special-tokens", "Every special token", "three sender errors, three recipient statuses", special_tokens),
)}


@bp.route("/recipes")
def recipes():
    """One button per outcome."""
    return render_template("admin/recipes.html", recipes=RECIPES.values(), form=ActionForm())


@bp.route("/recipes/<name>", methods=["POST"])
def run_recipe(name: str):
    """Run one recipe and show what it produced."""
    recipe = RECIPES.get(name)
    if recipe is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        made = recipe.run()
    except RecipeFailed as exc:
        flash(f"{recipe.title}: not done: {exc}.")
        return redirect(url_for("admin.recipes"))
    flash(f"{recipe.title}: {made.message}", made.url)
    return redirect(made.url if request.form.get("follow") != "no" else url_for("admin.recipes"))
