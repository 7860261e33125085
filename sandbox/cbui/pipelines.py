"""Co-Branded pipeline inputs: which parameters each pipeline takes and how each is checked
(fps-spec.md §3.2, §3.3). Pure functions over the query parameters; no Flask."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from ..domain.money import CURRENCIES, MoneyFormatError, parse_cents
from ..domain.policy import Policy
from ..domain.text import ascii_digits, fits_xml
from ..domain.tokens import PERIOD_UNITS
from ..urls import valid_http_url

PERIOD_RE = re.compile(r"([1-9][0-9]{0,2}) ?(Hour|Day|Week|Month|Year)s?", re.IGNORECASE)
MAX_COUNT = 1_000_000

PIPELINES = ("SingleUse", "MultiUse", "Recurring", "Recipient", "SetupPrepaid", "SetupPostpaid", "EditToken")
SUPPORTED = ("SetupPrepaid", "SetupPostpaid")
CBUI_VERSION = "2009-01-09"
METHODS = ("ABT", "ACH", "CC")
ADDRESS_FIELDS = ("addressName", "addressLine1", "addressLine2", "city", "state", "zip", "country", "phoneNumber")
MAX_VALIDITY = timedelta(days=366)
START_GRACE = timedelta(minutes=10)  # a validityStart slightly in the past (clock drift) is accepted


@dataclass
class Checked:
    """The validated inputs, and the names of inputs that are missing or not well formed."""

    values: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.malformed

    def error_message(self) -> str:
        parts = []
        if self.malformed:
            parts.append(f"The following input(s) are not well formed: [{', '.join(self.malformed)}]")
        if self.missing:
            parts.append(f"The following input(s) are missing: [{', '.join(self.missing)}]")
        return ". ".join(parts)


valid_return_url = valid_http_url


def check_setup_prepaid(params: dict[str, str], now: datetime, policy: Policy, default_methods: str) -> Checked:
    """Validate every SetupPrepaid input (§3.3); amounts become cents, dates datetimes."""
    c = Checked()
    _text(c, params, "callerReferenceFunding", required=True)
    _text(c, params, "callerReferenceSender", required=True)
    if "callerReferenceSender" in c.values and c.values["callerReferenceSender"] == c.values.get("callerReferenceFunding"):
        c.malformed.append("callerReferenceSender")  # each token needs its own reference
    _amount(c, params, "fundingAmount", policy)
    _common(c, params, now, default_methods)
    return c


def check_setup_postpaid(params: dict[str, str], now: datetime, policy: Policy, default_methods: str) -> Checked:
    """Validate every SetupPostpaid input (§3.4), usage limits included."""
    c = Checked()
    _text(c, params, "callerReferenceSender", required=True)
    _text(c, params, "callerReferenceSettlement", required=True)
    if "callerReferenceSender" in c.values and c.values["callerReferenceSender"] == c.values.get(
            "callerReferenceSettlement"):
        c.malformed.append("callerReferenceSettlement")  # each token needs its own reference
    _amount(c, params, "creditLimit", policy)
    _amount(c, params, "globalAmountLimit", policy)
    c.values["usageLimits"] = [limit for n in (1, 2) if (limit := _usage_limit(c, params, n, policy))]
    _common(c, params, now, default_methods)
    return c


CHECKS = {"SetupPrepaid": check_setup_prepaid, "SetupPostpaid": check_setup_postpaid}


def _usage_limit(c: Checked, params: dict[str, str], n: int, policy: Policy) -> dict | None:
    """usageLimitTypeN / PeriodN / ValueN: all three or none."""
    names = [f"usageLimitType{n}", f"usageLimitPeriod{n}", f"usageLimitValue{n}"]
    kind, period, value = (params.get(name) for name in names)
    if kind is None and period is None and value is None:
        return None
    c.missing += [name for name, v in zip(names, (kind, period, value), strict=True) if not v]
    if not (kind and period and value):
        return None
    bad_before = len(c.malformed)
    if kind not in ("Amount", "Count"):
        c.malformed.append(names[0])
    match = PERIOD_RE.fullmatch(period)
    if not match:
        c.malformed.append(names[1])
    limit_value = _limit_value(kind, value, policy)
    if limit_value is None:
        c.malformed.append(names[2])
    if len(c.malformed) > bad_before:
        return None
    unit = next(u for u in PERIOD_UNITS if u.lower() == match.group(2).lower())
    return {"kind": kind, "count": int(match.group(1)), "unit": unit, "value": limit_value}


def _limit_value(kind: str, value: str, policy: Policy) -> int | None:
    if kind == "Count":
        return int(value) if ascii_digits(value) and len(value) <= 7 and 0 < int(value) <= MAX_COUNT else None
    try:
        cents = parse_cents(value)
    except MoneyFormatError:
        return None
    return cents if policy.min_amount_cents <= cents <= policy.max_amount_cents else None


def _common(c: Checked, params: dict[str, str], now: datetime, default_methods: str) -> None:
    if params.get("version") not in (None, CBUI_VERSION):
        c.malformed.append("version")
    if params.get("currencyCode", "USD") not in CURRENCIES:
        c.malformed.append("currencyCode")
    c.values["currencyCode"] = params.get("currencyCode", "USD")
    methods = [m.strip() for m in (params.get("paymentMethod") or default_methods).split(",")]
    if not methods or any(m not in METHODS for m in methods):
        c.malformed.append("paymentMethod")
    c.values["paymentMethod"] = tuple(m for m in METHODS if m in methods)
    _text(c, params, "paymentReason", max_len=1024)
    _text(c, params, "callerReference")
    _text(c, params, "websiteDescription", max_len=256)
    for name in ADDRESS_FIELDS:
        _text(c, params, name)
    if params.get("cobrandingStyle") not in (None, "banner", "logo"):
        c.malformed.append("cobrandingStyle")
    if params.get("cobrandingUrl") is not None and not (valid_http_url(params["cobrandingUrl"])
                                                         and urlsplit(params["cobrandingUrl"]).scheme == "https"):
        c.malformed.append("cobrandingUrl")
    if params.get("collectShippingAddress") not in (None, "True", "False", "true", "false"):
        c.malformed.append("collectShippingAddress")
    _validity(c, params, now)


def _text(c: Checked, params: dict[str, str], name: str, required: bool = False, max_len: int = 128) -> None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            c.missing.append(name)
        return
    if not fits_xml(value) or len(value.encode("utf-8")) > max_len or any(ord(ch) < 32 for ch in value):
        c.malformed.append(name)
        return
    c.values[name] = value


def _amount(c: Checked, params: dict[str, str], name: str, policy: Policy) -> None:
    value = params.get(name)
    if not value:
        c.missing.append(name)
        return
    try:
        cents = parse_cents(value)
    except MoneyFormatError:
        c.malformed.append(name)
        return
    if not policy.min_amount_cents <= cents <= policy.max_amount_cents:
        c.malformed.append(name)
        return
    c.values[name] = cents


def _epoch(c: Checked, params: dict[str, str], name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    if not ascii_digits(value) or len(value) > 11:
        c.malformed.append(name)
        return None
    return datetime.fromtimestamp(int(value), tz=timezone.utc).replace(tzinfo=None)


def _validity(c: Checked, params: dict[str, str], now: datetime) -> None:
    start = _epoch(c, params, "validityStart")
    expiry = _epoch(c, params, "validityExpiry")
    if start is not None and not (now - START_GRACE <= start <= now + MAX_VALIDITY):
        c.malformed.append("validityStart")
        start = None
    if expiry is not None and (expiry <= now or expiry <= (start or now)):
        c.malformed.append("validityExpiry")
        expiry = None
    c.values["validityStart"] = start or now
    c.values["validityExpiry"] = expiry
