"""Error-handling coverage: which of the outcomes an aggregated-payments integration must handle a
sandbox's own client has met (FPS error codes, transaction statuses, notification kinds, Co-Branded
endings), and how to meet the rest. Read from the sandbox's request log, transactions, notifications and
pipelines; only what the client's code did counts, not calls sent from the console or a lesson."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..models import ApiCall, CbuiPipeline, DeliveryAttempt, FpsTransaction, Notification, StatusHistory
from .cobranded import ABANDONED, DONE


@dataclass(frozen=True)
class Item:
    """One outcome to meet: its group, its name, why a client must handle it, and how to make it happen."""

    group: str
    name: str
    why: str
    how: str


ERRORS = "FPS error codes"
STATUSES = "Transaction statuses"
NOTIFICATIONS = "Notifications received"
COBRANDED = "Co-Branded endings"

CHECKLIST: tuple[Item, ...] = (
    Item(ERRORS, "SignatureDoesNotMatch", "the secret or the string to sign is wrong: fix the signing, never retry",
         "sign a call with a wrong secret"),
    Item(ERRORS, "RequestExpired", "the Timestamp is more than 15 minutes off: the client's clock is wrong",
         "send a Timestamp an hour old"),
    Item(ERRORS, "InvalidClientTokenId", "the access key is unknown", "send a made-up AWSAccessKeyId"),
    Item(ERRORS, "MissingParameter", "a required parameter was left out", "leave out CallerReference"),
    Item(ERRORS, "InvalidParams", "a parameter's value is malformed", "send TransactionAmount.Value=abc"),
    Item(ERRORS, "InvalidTokenId_Sender", "the sender token is not one of this caller's",
         "Pay with a SenderTokenId that does not exist"),
    Item(ERRORS, "TokenNotActive_Sender", "the buyer cancelled the token: ask them to authorize again",
         "CancelToken, then Pay with it"),
    Item(ERRORS, "InsufficientBalance", "the prepaid balance is too low for this Pay",
         "Pay more than the prepaid balance, or fund an amount ending in .80-.89"),
    Item(ERRORS, "TemporaryDecline", "the funding source declined for now: retry later",
         "FundPrepaid an amount ending in .60-.69"),
    Item(ERRORS, "TransactionDenied", "the funding source refused: do not retry", "FundPrepaid an amount ending in .70-.79"),
    Item(ERRORS, "AmountOutOfRange", "the amount is below $0.01 or above the maximum", "Pay $0.00"),
    Item(ERRORS, "DuplicateRequest", "a CallerReference was reused with other parameters",
         "repeat a Pay's CallerReference with another amount"),
    Item(ERRORS, "RefundAmountExceeded", "a refund is more than what is left to refund", "Refund more than was paid"),
    Item(ERRORS, "SettleAmountGreaterThanDebt", "a settlement is more than the debt",
         "SettleDebt more than the credit instrument owes"),
    Item(ERRORS, "ServiceUnavailable", "FPS is busy: retry with back-off", "arm a ServiceUnavailable fault (Faults)"),
    Item(ERRORS, "Throttling", "too many calls: slow down and retry", "arm a Throttling fault (Faults)"),
    Item(ERRORS, "InternalError", "FPS failed: retry with the same CallerReference", "arm an InternalError fault (Faults)"),
    Item(STATUSES, "Success", "the money moved", "Pay from a funded prepaid instrument"),
    Item(STATUSES, "Failure", "the money did not move: tell the buyer", "arm a fault with a failure outcome (Faults)"),
    Item(STATUSES, "Pending", "not decided yet: wait for the notification or ask GetTransactionStatus",
         "fund by credit card while the sandbox keeps card payments pending (FPS_PENDING_SECONDS)"),
    Item(STATUSES, "Cancelled", "a pending transaction was cancelled", "Cancel a Pending transaction"),
    Item(NOTIFICATIONS, "TransactionStatus: Success", "the notification that confirms a payment",
         "a Pay or funding that succeeds, with a notification URL set"),
    Item(NOTIFICATIONS, "TransactionStatus: Failure", "the notification of a payment that failed",
         "a transaction that fails, with a notification URL set"),
    Item(NOTIFICATIONS, "TransactionStatus: Pending", "the notification that a payment is waiting", "a Pending funding"),
    Item(NOTIFICATIONS, "TokenCancellation", "the buyer or the caller cancelled a token", "CancelToken"),
    Item(NOTIFICATIONS, "a retry after a failed attempt", "a notification the app refused once, sent again",
         "answer a notification with an error once, or set the caller's first attempts to fail (IPN settings)"),
    Item(NOTIFICATIONS, "a duplicate", "FPS may send the same notification twice: handle it once",
         "ask for duplicates in the caller's IPN settings"),
    Item(COBRANDED, "authorized", "the buyer finished the pages: the return URL carries the tokens",
         "walk the Co-Branded pages to the end"),
    Item(COBRANDED, "cancelled or refused (status A, PE, NP ...)", "the buyer went back without tokens",
         "press Cancel on a Co-Branded page"),
)

CLIENT_FACES = ("api", "cbui")  # what the client's own code sent (the request log's face)


@dataclass(frozen=True)
class Coverage:
    """Which checklist items a sandbox's client has met."""

    met: frozenset[str]  # "group/name"

    def has(self, item: Item) -> bool:
        return f"{item.group}/{item.name}" in self.met

    @property
    def count(self) -> int:
        return sum(self.has(item) for item in CHECKLIST)

    @property
    def total(self) -> int:
        return len(CHECKLIST)

    @property
    def percent(self) -> int:
        return self.count * 100 // self.total

    def unmet(self) -> list[Item]:
        return [item for item in CHECKLIST if not self.has(item)]


WINDOW = 100_000  # rows per table looked at, newest first: a student's sandbox whole, a big one's recent past


def _recent(conn: Connection, column):
    """A condition keeping the newest WINDOW rows of `column`'s table (by its integer primary key)."""
    newest = conn.execute(select(func.max(column))).scalar() or 0
    return column > newest - WINDOW


def measure(conn: Connection) -> Coverage:
    """What the sandbox's client has met, from its own records: DISTINCT reads over at most the newest
    WINDOW rows of each table, so the page stays quick at a million transactions."""
    met: set[str] = set()
    codes = set(conn.execute(select(ApiCall.error_code).distinct().where(
        ApiCall.error_code.is_not(None), ApiCall.face.in_(CLIENT_FACES), _recent(conn, ApiCall.id))).scalars())
    txns = _recent(conn, FpsTransaction.id)
    codes |= set(conn.execute(select(FpsTransaction.status_code).distinct().where(txns)).scalars())  # a decline
    met |= {f"{ERRORS}/{code}" for code in codes}
    statuses = set(conn.execute(select(StatusHistory.status).distinct().where(_recent(conn, StatusHistory.id))).scalars())
    statuses |= set(conn.execute(select(FpsTransaction.status).distinct().where(txns)).scalars())
    met |= {f"{STATUSES}/{status}" for status in statuses}
    attempts = _recent(conn, DeliveryAttempt.id)
    delivered = conn.execute(select(Notification.notification_type, Notification.status).distinct()
                             .join(DeliveryAttempt, DeliveryAttempt.notification_pk == Notification.id)
                             .where(DeliveryAttempt.outcome == "delivered", attempts)).all()
    for kind, status in delivered:
        met.add(f"{NOTIFICATIONS}/{kind}" + (f": {status}" if kind == "TransactionStatus" else ""))
    outcomes = set(conn.execute(select(DeliveryAttempt.outcome).distinct().where(attempts)).scalars())
    if "duplicate" in outcomes:
        met.add(f"{NOTIFICATIONS}/a duplicate")
    retried = select(DeliveryAttempt.id).join(Notification, Notification.id == DeliveryAttempt.notification_pk).where(
        Notification.state == "delivered", DeliveryAttempt.outcome.in_(("failed", "forced-failure")), attempts).limit(1)
    if conn.execute(retried).first() is not None:
        met.add(f"{NOTIFICATIONS}/a retry after a failed attempt")
    for state, item in ((DONE, "authorized"), (ABANDONED, "cancelled or refused (status A, PE, NP ...)")):
        if conn.execute(select(CbuiPipeline.id).where(CbuiPipeline.state == state).limit(1)).first() is not None:
            met.add(f"{COBRANDED}/{item}")
    return Coverage(frozenset(met))
