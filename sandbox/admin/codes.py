"""Every FPS error code and transaction StatusCode explained: what it means, whether a client
should retry, its HTTP status, and how to make the sandbox produce it."""

from __future__ import annotations

import re

from flask import render_template, url_for
from markupsafe import Markup

from ..domain import errors
from ..domain.statuses import STATUS_MESSAGES
from ..api.render import STATUS_FOR_CODE
from .blueprint import bp

# The error codes the sandbox produces without an armed fault (docs/forcing-outcomes.md).
FORCED_BY = {
    "UnverifiedEmailAddress_Sender": "the special sender token of an unverified e-mail address",
    "UnverifiedEmailAddress_Recipient": "the special recipient token of an unverified e-mail address",
    "InvalidAccountState_Sender": "the special sender token of a suspended account",
    "InvalidAccountState_Recipient": "the special recipient token of a suspended account",
    "AccountClosed": "the special token of a closed account",
    "TemporaryDecline": "a FundPrepaid or SettleDebt amount ending in .60-.69",
    "TransactionDenied": "a FundPrepaid or SettleDebt amount ending in .70-.79",
    "InsufficientBalance": "a FundPrepaid or SettleDebt amount ending in .80-.89, or a Pay over the balance",
}


# FPS's StatusMessage for Success speaks of a charge; the console's tooltip serves refunds and Pays too.
CONSOLE_WORDS = {"Success": "The transaction was successful: the money moved as it says."}


def _plain(message: str) -> str:
    """A default message without its placeholders: "{low}" reads as "…"."""
    return re.sub(r"\{\w+\}", "…", message)


def explain(code: str | None) -> str:
    """One line about a code, for a tooltip: its meaning and whether to retry."""
    if not code:
        return ""
    if code in errors.REGISTRY:
        cls = errors.REGISTRY[code]
        return f"{_plain(cls.message)} ({'retriable' if cls.retriable else 'not retriable'})"
    return CONSOLE_WORDS.get(code) or STATUS_MESSAGES.get(code, "")


@bp.app_template_filter("code")
def code_link(code: str | None) -> Markup:
    """A code as a link to its explanation, with the explanation as its tooltip (both escaped)."""
    if not code:
        return Markup("")
    return Markup('<a class="code" href="{0}" title="{1}">{2}</a>').format(url_for("admin.codes", _anchor=code),
                                                                           explain(code), code)


@bp.route("/codes")
def codes():
    """The catalogue: every error code and StatusCode, with how to produce each on purpose."""
    rows = [(code, STATUS_FOR_CODE.get(code, 400), cls.retriable, _plain(cls.message), FORCED_BY.get(code))
            for code, cls in sorted(errors.REGISTRY.items())]
    return render_template("admin/codes.html", rows=rows, statuses=sorted(STATUS_MESSAGES.items()),
                           forced_by=FORCED_BY)
