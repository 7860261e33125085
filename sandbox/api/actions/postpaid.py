"""Postpaid actions: SettleDebt, WriteOffDebt, GetDebtBalance, GetOutstandingDebtBalance."""

from __future__ import annotations

from ...domain import postpaid, transactions
from ..params import Params
from .registry import DESCRIPTIONS, DESCRIPTOR, Context, action, amount_params, business_params


@action(
    "SettleDebt",
    required=("SenderTokenId", "CreditInstrumentId", "CallerReference", *amount_params("SettlementAmount")),
    optional=(*DESCRIPTIONS, *DESCRIPTOR),
    writes=True,
)
def settle_debt(ctx: Context, p: Params) -> dict:
    """Collect part or all of a credit instrument's debt with its settlement token, less the fee.

    Deviations: by card or bank account it is Pending for FPS_PENDING_SECONDS, then Success.
    """
    result = postpaid.settle(
        ctx.conn, ctx.caller, sender_token_id=p.required("SenderTokenId", 65),
        instrument_id=p.required("CreditInstrumentId", 65), amount_cents=p.amount("SettlementAmount"),
        caller_reference=p.required("CallerReference"), digest=transactions.fingerprint("SettleDebt", business_params(p)),
        now=ctx.now, ids=ctx.ids, policy=ctx.policy, caller_description=p.optional("CallerDescription"),
        sender_description=p.optional("SenderDescription"), forced=ctx.forced,
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
