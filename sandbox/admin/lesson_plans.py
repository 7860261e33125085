"""The two guided lessons, step by step: what each step says to a class, and the real call it makes.

A step is an introduction, the Co-Branded pages (the presenter clicks through them as the lesson's buyer),
or one or more Query-API calls sent as the lesson's own caller (lessons.py performs them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

Calls = Callable[[int, dict, dict], list[dict[str, str]]]  # (run id, ids installed, steps done) -> params


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    words: str
    kind: str = "api"  # intro | cbui | api
    calls: Calls | None = None
    expect_error: str | None = None  # the error the last call is meant to meet
    look: tuple[str, ...] = ()  # the money figures this step is about (highlighted when they change)


@dataclass(frozen=True)
class Plan:
    name: str
    title: str
    merchant: str
    buyer: str
    pipeline: str
    link: dict[str, str]  # the pipeline's inputs (caller references are added per run)
    steps: tuple[Step, ...]


def _amount(prefix: str, value: str) -> dict[str, str]:
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def _pays(first: int, last: int, value: str, token: str, word: str) -> Calls:
    def calls(run: int, ids: dict, done: dict) -> list[dict[str, str]]:
        return [{"Action": "Pay", "SenderTokenId": ids[token], "CallerReference": f"lesson-{run}-{word}-{n}",
                 **_amount("TransactionAmount", value)} for n in range(first, last + 1)]
    return calls


PREPAID = Plan(
    "prepaid", "DigitalDownload: a prepaid balance for songs", "DigitalDownload", "Sam Student", "SetupPrepaid",
    {"fundingAmount": "10.00", "paymentMethod": "ABT", "paymentReason": "Songs at $0.50 each"},
    (
        Step("meet", "Who is who", "DigitalDownload sells songs for $0.50. Charging a card 50 cents at a time would "
             "cost more in fees than the song is worth, so it asks its buyer for a $10.00 prepaid balance once, and "
             "then draws each song from it. This lesson has a merchant and a buyer of its own: nothing else in the "
             "sandbox changes.", "intro"),
        Step("setup", "The buyer sets up a prepaid balance", "The merchant sends the buyer to the Co-Branded pages with "
             "a signed link. The buyer signs in, picks how to pay and agrees to $10.00. FPS sends the buyer back to "
             "the merchant with three ids: the prepaid instrument, the funding token and the sender token.", "cbui"),
        Step("fund", "FundPrepaid: $10.00 comes in, once", "The merchant calls FundPrepaid with the funding token. "
             "This is the one time money really moves, so this is the one fee: $0.30 on $10.00. The merchant nets "
             "$9.70 and owes the buyer $10.00 of songs.",
             calls=lambda run, ids, done: [{"Action": "FundPrepaid", "SenderTokenId": ids["fundingTokenID"],
                                            "PrepaidInstrumentId": ids["prepaidInstrumentID"],
                                            "CallerReference": f"lesson-{run}-funding", **_amount("FundingAmount",
                                                                                                  "10.00")}],
             look=("buyer_balance", "merchant_balance", "prepaid_balance", "fees_paid")),
        Step("pay", "Pay: the first song, $0.50", "Each song is a Pay with the sender token. No money moves, so no "
             "fee: the prepaid balance goes down by $0.50.", calls=_pays(1, 1, "0.50", "prepaidSenderTokenID", "song"),
             look=("prepaid_balance", "fees_paid")),
        Step("pay-more", "Nineteen more songs", "Nineteen more Pays of $0.50. Twenty songs in all for one $0.30 fee: "
             "1.5 cents a song instead of 8 cents each if every song were charged on its own.",
             calls=_pays(2, 20, "0.50", "prepaidSenderTokenID", "song"), look=("prepaid_balance", "fees_paid")),
        Step("refused", "The 21st song: the balance is used up", "The balance is $0.00, so FPS refuses the next Pay "
             "with InsufficientBalance. The merchant's code must handle this: ask the buyer to fund again.",
             calls=_pays(21, 21, "0.50", "prepaidSenderTokenID", "song"), expect_error="InsufficientBalance",
             look=("prepaid_balance",)),
        Step("refund", "A reversal: one song refunded", "A song would not play, so the merchant refunds that Pay. "
             "The $0.50 goes back onto the prepaid balance, not to the card: no fee either way.",
             calls=lambda run, ids, done: [{"Action": "Refund", "TransactionId": done["pay"]["transaction_id"],
                                            "CallerReference": f"lesson-{run}-refund"}],
             look=("prepaid_balance", "fees_paid")),
        Step("balance", "GetPrepaidBalance: what is left", "The merchant asks FPS for the balance: $0.50, enough "
             "for one more song.",
             calls=lambda run, ids, done: [{"Action": "GetPrepaidBalance",
                                            "PrepaidInstrumentId": ids["prepaidInstrumentID"]}],
             look=("prepaid_balance",)),
    ))

POSTPAID = Plan(
    "postpaid", "The Daily Byte: articles on a tab, settled later", "The Daily Byte", "Pat Pupil", "SetupPostpaid",
    {"creditLimit": "20.00", "globalAmountLimit": "100.00", "paymentMethod": "ABT",
     "paymentReason": "Articles at $0.25 each"},
    (
        Step("meet", "Who is who", "The Daily Byte charges $0.25 an article. Its buyer reads on credit, like a bar "
             "tab: each article adds to a debt, and the debt is settled now and then with one payment and one fee. "
             "This lesson has a merchant and a buyer of its own.", "intro"),
        Step("setup", "The buyer opens a tab", "The buyer agrees on the Co-Branded pages to a credit limit of $20.00 "
             "(at most $100.00 in all). FPS returns the credit instrument, the credit sender token and the settlement "
             "token.", "cbui"),
        Step("read", "Eight articles on credit", "Eight Pays of $0.25 with the credit sender token. No money moves "
             "yet: the debt grows to $2.00.", calls=_pays(1, 8, "0.25", "creditSenderTokenID", "article"),
             look=("debt", "fees_paid")),
        Step("debt", "GetDebtBalance: what is owed", "The merchant asks FPS what the buyer owes: $2.00.",
             calls=lambda run, ids, done: [{"Action": "GetDebtBalance",
                                            "CreditInstrumentId": ids["creditInstrumentID"]}], look=("debt",)),
        Step("settle", "SettleDebt: $2.00 collected, one fee", "The merchant settles the debt with the settlement "
             "token: money moves once, so there is one fee, $0.15 on $2.00. The merchant nets $1.85 for eight "
             "articles; charged one by one they would have cost $0.48 in fees.",
             calls=lambda run, ids, done: [{"Action": "SettleDebt", "SenderTokenId": ids["settlementTokenID"],
                                            "CreditInstrumentId": ids["creditInstrumentID"],
                                            "CallerReference": f"lesson-{run}-settle", **_amount("SettlementAmount",
                                                                                                 "2.00")}],
             look=("debt", "buyer_balance", "merchant_balance", "fees_paid")),
        Step("more", "Two more articles", "Two more Pays: the debt is $0.50 again.",
             calls=_pays(9, 10, "0.25", "creditSenderTokenID", "article"), look=("debt",)),
        Step("write-off", "WriteOffDebt: the merchant forgives $0.50", "The buyer moved away; collecting 50 cents "
             "is not worth it. The merchant writes the debt off: no money moves, no fee, and the debt is gone.",
             calls=lambda run, ids, done: [{"Action": "WriteOffDebt", "CreditInstrumentId": ids["creditInstrumentID"],
                                            "CallerReference": f"lesson-{run}-write-off",
                                            **_amount("AdjustmentAmount", "0.50")}],
             look=("debt", "fees_paid")),
    ))

PLANS = {p.name: p for p in (PREPAID, POSTPAID)}

# What each element of a response means, shown beside the XML.
ELEMENTS = {
    "TransactionId": "FPS's id for this money movement or Pay: keep it to refund it or ask its status.",
    "TransactionStatus": "Success, Pending (money is on its way), Failure or Cancelled.",
    "RequestId": "FPS's id for this request: quote it when asking support.",
    "AvailableBalance": "What the buyer can still spend.",
    "PendingInBalance": "Money on its way that is not spendable yet.",
    "PrepaidBalance": "The prepaid instrument's balance.",
    "OutstandingDebt": "What the buyer owes on the tab.",
    "PendingOutBalance": "Debt being settled right now.",
    "OutstandingBalance": "What the buyer owes on the tab.",
    "Code": "The error's name: what the merchant's code should switch on.",
    "Message": "The error in words, naming the parameter or the reason.",
    "Errors": "FPS refused the request: nothing changed.",
    "Error": "One reason it was refused.",
    "RequestID": "FPS's id for this request: quote it when asking support.",
    "Response": "The envelope of an error answer.",
    "ResponseMetadata": "Facts about the request itself, not about the money.",
    "DebtBalance": "The tab: what is owed now and what is being settled.",
    "Value": "An amount, always with six decimals.",
    "CurrencyCode": "The amount's currency: USD, the only one.",
}


def explain(element: str) -> str:
    """What an element of an FPS response means, for a class (every element has a line)."""
    if element in ELEMENTS:
        return ELEMENTS[element]
    if element.endswith("Response"):
        return f"The envelope of the answer to {element[:-8]}, in the API version's namespace."
    if element.endswith("Result"):
        return f"What {element[:-6]} did."
    return "Part of the answer (see the FPS API reference)."
MONEY = {"buyer_balance": "Buyer's Amazon Payments balance", "merchant_balance": "Merchant's balance",
         "prepaid_balance": "Buyer's prepaid balance", "debt": "Buyer's debt (the tab)",
         "fees_paid": "Fees the merchant has paid"}
