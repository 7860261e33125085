"""The admin console's blueprint, its guards (host names, password) and its template filter; in a module
of its own so that every console module imports it without a circle."""

import hmac

from flask import Blueprint, Response, current_app, render_template, request

from ..domain.money import display
from ..domain.text import ascii_digits
from ..runtime.hosts import allowed_hosts, console_host_allowed
from ..runtime.routing import route_named

bp = Blueprint("admin", "sandbox.admin", url_prefix="/admin")
LOOPBACK = ("127.0.0.1", "::1")


def host_guard():
    """The console answers only at its own host names (FPS_ADMIN_HOSTS), before anything else looks at the
    request (CSRF included: a rebinding page would hold a session and token of its own origin)."""
    if request.blueprint != "admin":
        return None
    allowed = allowed_hosts(current_app.config.get("FPS_ADMIN_HOSTS"))
    if console_host_allowed(request.host, allowed):
        return None
    return render_template("errors/page.html", title="Not this console's address",
                           message=f"The admin console answers only at {', '.join(sorted(allowed or ()))}. Open it "
                                   "at one of those names, or add this one to FPS_ADMIN_HOSTS."), 403


@bp.before_request
def _guard():
    """From this machine the console is open; from anywhere else it needs FPS_ADMIN_PASSWORD."""
    if request.remote_addr in LOOPBACK or (request.remote_addr or "").startswith("127."):
        return None
    password = current_app.config.get("FPS_ADMIN_PASSWORD")
    if not password:
        return render_template("errors/page.html", title="Console closed",
                               message="The admin console answers only this machine unless the console password "
                                       "(FPS_SANDBOX_FPS_ADMIN_PASSWORD) is "
                                       "set."), 403
    auth = request.authorization
    if auth is not None and auth.password is not None and hmac.compare_digest(auth.password.encode(),
                                                                              password.encode()):
        return None
    return Response("The admin console needs its password.\n", 401,
                    {"WWW-Authenticate": 'Basic realm="FPS Sandbox admin"', "Content-Type": "text/plain"})


bp.before_request(route_named)  # after _guard: the sandbox named in ?sandbox= (runtime/routing.py)


@bp.app_template_filter("book_label")
def book_label(book: str, names: dict) -> str:
    """A ledger book in words: "balance:3" -> "John Smith · Amazon Payments balance"."""
    kind, _, ref = book.partition(":")
    ref = int(ref) if ascii_digits(ref) else ref  # a book named in a URL may be anything
    if kind == "balance":
        return f"{names.get(ref, ref)} · Amazon Payments balance"
    if kind == "funding":
        method, _, pm = ref.partition(":")
        return f"{'credit card' if method == 'CC' else 'bank account'} #{pm} (outside money)"
    if kind == "prepaid":
        return f"prepaid instrument #{ref} · buyer's stored value"
    if kind == "prepaid_liability":
        return f"{names.get(ref, ref)} · prepaid liability"
    if kind == "receivable":
        return f"credit instrument #{ref} · debt the buyer owes"
    if kind == "credit_sales":
        return f"{names.get(ref, ref)} · sales on credit not yet settled"
    if kind == "written_off":
        return f"{names.get(ref, ref)} · debt written off (expense)"
    return {"clearing": "clearing (in flight)", "fee_revenue": "FPS fee revenue",
            "opening": "opening balances (demo world)"}.get(book, book)


READINGS = {"balance": "holds {}", "funding": "{} came in from outside", "prepaid": "the buyer can still spend {}",
            "prepaid_liability": "owes buyers {} of prepaid value", "receivable": "the buyer owes {}",
            "credit_sales": "{} sold on credit, not yet settled", "written_off": "{} written off",
            "fee_revenue": "FPS earned {} in fees", "clearing": "{} in flight", "opening": "{} opened the demo world"}


@bp.app_template_filter("book_reading")
def book_reading(book: str, cents: int) -> str:
    """A book's balance in words a class can read: "owes buyers $8.00 of prepaid value", not "-$8.00"."""
    kind = book.partition(":")[0]
    if cents == 0:
        return "empty"
    words = READINGS.get(kind, "{}").format(display(abs(cents)))
    return words if (cents > 0) == (kind in ("balance", "prepaid", "receivable", "written_off", "clearing")) \
        else f"{words} (the other way round)"
