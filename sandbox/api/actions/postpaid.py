"""Postpaid actions: SettleDebt, WriteOffDebt, GetDebtBalance, GetOutstandingDebtBalance."""

from __future__ import annotations

from ...domain import collect, postpaid
from ...domain.call import Call
from ...domain.postpaid import CREDIT
from ..params import CALLER_REFERENCE, DESCRIPTIONS, DESCRIPTOR, OVERRIDE_IPN_URL, Args, amount, by_id, text, token_id
from .registry import action


@action("SettleDebt", token_id("SenderTokenId"), token_id("CreditInstrumentId"), amount("SettlementAmount"),
        CALLER_REFERENCE, DESCRIPTIONS, DESCRIPTOR, OVERRIDE_IPN_URL, writes=True)
def settle_debt(call: Call, args: Args) -> dict:
    """Collect part or all of a credit instrument's debt with its settlement token, less the fee.

    Deviations: by card or bank account it is Pending for FPS_PENDING_SECONDS, then Success.
    """
    return {"result": collect.begin(call, CREDIT, sender_token_id=args.sender_token_id,
                                    instrument_id=args.credit_instrument_id,
                                    amount_cents=args.settlement_amount_cents)}


@action("WriteOffDebt", token_id("CreditInstrumentId"), amount("AdjustmentAmount"), CALLER_REFERENCE,
        text("CallerDescription", 160, to_call=True), writes=True)
def write_off_debt(call: Call, args: Args) -> dict:
    """Forgive part or all of a credit instrument's debt: no money moves, not reversible."""
    return {"result": postpaid.write_off(call, args.credit_instrument_id, args.adjustment_amount_cents)}


@action("GetDebtBalance", token_id("CreditInstrumentId"), one_read=True,
        prefetch=by_id("CreditInstrumentId", CREDIT.balance_read))
def get_debt_balance(call: Call, args: Args) -> dict:
    """The debt on a credit instrument (its sender or recipient only)."""
    return {"balance": CREDIT.balance(call.conn, call.caller, args.credit_instrument_id, call.read)}


@action("GetOutstandingDebtBalance")
def get_outstanding_debt_balance(call: Call, args: Args) -> dict:
    """The debt owed to the caller across all its credit instruments."""
    return {"balance": CREDIT.total(call.conn, call.caller)}
