"""The action registry: each FPS action with its parameters, declared next to its handler.

A handler reads typed parameters, calls the domain and returns the values its template
(templates/fps/<Action>.xml) renders. The first docstring line is the FPS purpose; the
`Deviations:` line is collected for the README.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import Connection

from ..certs import Signer, outbound_string_to_sign
from ..domain import errors, payments, postpaid, prepaid, transactions
from ..domain.accounts import Party
from ..domain.ids import IdGenerator
from ..domain.policy import Policy
from .params import Params


@dataclass
class Context:
    """What a handler may use: the unit of work's connection, the caller and the sandbox services."""

    conn: Connection
    caller: Party
    now: datetime
    ids: IdGenerator
    policy: Policy
    signer: Signer


@dataclass(frozen=True)
class Action:
    name: str
    handler: Callable[[Context, Params], dict]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    writes: bool

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


REGISTRY: dict[str, Action] = {}
# Known FPS actions that this sandbox does not emulate yet: answered with a clear InvalidAction.
NOT_YET = (
    "Cancel", "CancelSubscriptionAndRefund", "CancelToken", "GetAccountActivity", "GetAccountBalance",
    "GetPaymentInstruction", "GetRecipientVerificationStatus",
    "GetTokenByCaller", "GetTokenUsage", "GetTokens", "InstallPaymentInstruction", "Refund", "Reserve", "Settle",
    "GetSubscriptionDetails", "GetTransactionsForSubscription",
)


def amount_params(prefix: str) -> tuple[str, str]:
    return (f"{prefix}.Value", f"{prefix}.CurrencyCode")


def action(name: str, *, required: tuple[str, ...] = (), optional: tuple[str, ...] = (), writes: bool = False):
    """Register a handler for the FPS action `name`."""

    def register(handler: Callable[[Context, Params], dict]) -> Callable[[Context, Params], dict]:
        REGISTRY[name] = Action(name, handler, required, optional, writes)
        return handler

    return register


def business_params(p: Params) -> dict[str, str]:
    """The parameters that say what a request asks for (everything but authentication)."""
    from .auth import COMMON_PARAMS

    return {k: v for k, v in p.values.items() if k not in COMMON_PARAMS}


DESCRIPTIONS = ("CallerDescription", "SenderDescription")
DESCRIPTOR = ("DescriptorPolicy.SoftDescriptorType", "DescriptorPolicy.CSOwner", "TransactionTimeoutInMins")


@action(
    "FundPrepaid",
    required=("SenderTokenId", "PrepaidInstrumentId", "CallerReference", *amount_params("FundingAmount")),
    optional=(*DESCRIPTIONS, *DESCRIPTOR),
    writes=True,
)
def fund_prepaid(ctx: Context, p: Params) -> dict:
    """Fund a prepaid instrument once from the buyer's chosen payment method, less the fee.

    Deviations: card and bank-account funding complete at once (Success), not Pending first.
    """
    result = prepaid.fund(
        ctx.conn, ctx.caller, sender_token_id=p.required("SenderTokenId", 65),
        instrument_id=p.required("PrepaidInstrumentId", 65), amount_cents=p.amount("FundingAmount"),
        caller_reference=p.required("CallerReference"), digest=transactions.fingerprint("FundPrepaid", business_params(p)),
        now=ctx.now, ids=ctx.ids, policy=ctx.policy, caller_description=p.optional("CallerDescription"),
        sender_description=p.optional("SenderDescription"),
    )
    return {"result": result}


@action(
    "Pay",
    required=("SenderTokenId", "CallerReference", *amount_params("TransactionAmount")),
    optional=(*DESCRIPTIONS, *DESCRIPTOR, "RecipientTokenId", "ChargeFeeTo", "MarketplaceFixedFee.Value",
              "MarketplaceFixedFee.CurrencyCode", "MarketplaceVariableFee"),
    writes=True,
)
def pay(ctx: Context, p: Params) -> dict:
    """Spend a prepaid balance, or add debt to a credit instrument: synchronous, no fee, no money moves.

    Deviations: only prepaid and credit sender tokens are accepted (no card, bank or marketplace Pay).
    """
    result = payments.pay(
        ctx.conn, ctx.caller, sender_token_id=p.required("SenderTokenId", 65),
        amount_cents=p.amount("TransactionAmount"), caller_reference=p.required("CallerReference"),
        digest=transactions.fingerprint("Pay", business_params(p)), now=ctx.now, ids=ctx.ids, policy=ctx.policy,
        caller_description=p.optional("CallerDescription"), sender_description=p.optional("SenderDescription"),
    )
    return {"result": result}


@action("GetPrepaidBalance", required=("PrepaidInstrumentId",))
def get_prepaid_balance(ctx: Context, p: Params) -> dict:
    """The available and pending balance of a prepaid instrument (its sender or recipient only)."""
    return {"balance": prepaid.balance(ctx.conn, ctx.caller, p.required("PrepaidInstrumentId", 65))}


@action("GetTotalPrepaidLiability")
def get_total_prepaid_liability(ctx: Context, p: Params) -> dict:
    """What the caller owes across all prepaid instruments it issued."""
    return {"balance": prepaid.total_liability(ctx.conn, ctx.caller)}


@action(
    "SettleDebt",
    required=("SenderTokenId", "CreditInstrumentId", "CallerReference", *amount_params("SettlementAmount")),
    optional=(*DESCRIPTIONS, *DESCRIPTOR),
    writes=True,
)
def settle_debt(ctx: Context, p: Params) -> dict:
    """Collect part or all of a credit instrument's debt with its settlement token, less the fee.

    Deviations: settlement by card or bank account completes at once (Success), not Pending first.
    """
    result = postpaid.settle(
        ctx.conn, ctx.caller, sender_token_id=p.required("SenderTokenId", 65),
        instrument_id=p.required("CreditInstrumentId", 65), amount_cents=p.amount("SettlementAmount"),
        caller_reference=p.required("CallerReference"), digest=transactions.fingerprint("SettleDebt", business_params(p)),
        now=ctx.now, ids=ctx.ids, policy=ctx.policy, caller_description=p.optional("CallerDescription"),
        sender_description=p.optional("SenderDescription"),
    )
    return {"result": result}


@action(
    "WriteOffDebt",
    required=("CreditInstrumentId", "CallerReference", *amount_params("AdjustmentAmount")),
    optional=("CallerDescription",),
    writes=True,
)
def write_off_debt(ctx: Context, p: Params) -> dict:
    """Forgive part or all of a credit instrument's debt: no money moves, not reversible."""
    result = postpaid.write_off(
        ctx.conn, ctx.caller, instrument_id=p.required("CreditInstrumentId", 65),
        amount_cents=p.amount("AdjustmentAmount"), caller_reference=p.required("CallerReference"),
        digest=transactions.fingerprint("WriteOffDebt", business_params(p)), now=ctx.now, ids=ctx.ids,
        policy=ctx.policy, caller_description=p.optional("CallerDescription"),
    )
    return {"result": result}


@action("GetDebtBalance", required=("CreditInstrumentId",))
def get_debt_balance(ctx: Context, p: Params) -> dict:
    """The debt on a credit instrument (its sender or recipient only)."""
    return {"balance": postpaid.debt_balance(ctx.conn, ctx.caller, p.required("CreditInstrumentId", 65))}


@action("GetOutstandingDebtBalance")
def get_outstanding_debt_balance(ctx: Context, p: Params) -> dict:
    """The debt owed to the caller across all its credit instruments."""
    return {"balance": postpaid.outstanding(ctx.conn, ctx.caller)}


@action("GetTransactionStatus", required=("TransactionId",))
def get_transaction_status(ctx: Context, p: Params) -> dict:
    """Status, status code and message of one of the caller's transactions."""
    return {"view": transactions.view(ctx.conn, ctx.caller.id, p.required("TransactionId", 35))}


@action("GetTransaction", required=("TransactionId",))
def get_transaction(ctx: Context, p: Params) -> dict:
    """Every detail of one of the caller's transactions, with its status history."""
    return {"view": transactions.view(ctx.conn, ctx.caller.id, p.required("TransactionId", 35))}


@action("VerifySignature", required=("UrlEndPoint", "HttpParameters"))
def verify_signature(ctx: Context, p: Params) -> dict:
    """Check a return-URL or notification signature the sandbox made (RSA-SHA1, version 2).

    Deviations: the verb is not sent, so both GET (return URL) and POST (IPN) are tried.
    """
    url = p.required("UrlEndPoint", 2048)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise errors.InvalidParams(f"UrlEndPoint {url[:200]} is an invalid URL: give scheme://host[:port]/path "
                                   "without a query string.")
    received = dict(parse_qsl(p.required("HttpParameters", 4096), keep_blank_values=True))
    for name in ("certificateUrl", "signature", "signatureVersion", "signatureMethod"):
        if name not in received:
            raise errors.InvalidParams(f"{name} is missing in 'HttpParameters'.")
    ok = (
        received["signatureVersion"] == "2"
        and received["signatureMethod"] == "RSA-SHA1"
        and urlsplit(received["certificateUrl"]).path == f"/certs/{ctx.signer.cert_dir}/PKICert.pem"
        and any(ctx.signer.verify(outbound_string_to_sign(verb, url, received), received["signature"])
                for verb in ("GET", "POST"))
    )
    return {"status": "Success" if ok else "Failure"}
