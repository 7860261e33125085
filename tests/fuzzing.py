"""Hypothesis strategies for hostile FPS traffic, and the checks every reply must pass.

Used by tests/test_fuzz.py (a short profile in `make test`) and bench/fuzz_run.py (the long, seeded run
whose counts the README reports). A `World` is a sandbox with a funded prepaid instrument and a credit
tab, so generated requests reach deep into the handlers as well as their guards.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlsplit

from hypothesis import strategies as st

from conftest import (DD_KEY, DD_SECRET, NEWS_KEY, NEWS_SECRET, Buyer, SignedCaller, cbui_link, hmac_sign,
                      postpaid_params, prepaid_params, string_to_sign_v2, timestamp)
from sandbox.api.actions import REGISTRY
from sandbox.cbui.pipelines import ADDRESS_FIELDS, PIPELINES

_REFERENCES = itertools.count(1)
VERSIONS = ["2008-09-17", "2010-08-28", "2011-09-20"]
MONEY_ACTIONS = ("Pay", "Pay", "Pay", "FundPrepaid", "SettleDebt", "WriteOffDebt", "Refund", "Cancel")
MERCHANT_RETURN = "https://merchant.example.com/fps/return"
CBUI_PARAMS = ("callerReferenceFunding", "callerReferenceSender", "callerReferenceSettlement", "fundingAmount",
               "creditLimit", "globalAmountLimit", "paymentMethod", "paymentReason", "callerReference",
               "websiteDescription", "cobrandingStyle", "cobrandingUrl", "collectShippingAddress", "currencyCode",
               "validityStart", "validityExpiry", "version", "returnURL", *ADDRESS_FIELDS,
               *(f"usageLimit{kind}{n}" for kind in ("Type", "Period", "Value") for n in (1, 2)))


@dataclass
class World:
    """Ids a request can name: real ones (so calls get past the look-ups) and the callers' keys."""

    client: object
    tokens: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)
    owned: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # access key: its tokens, instruments

    def of(self, key: str) -> World:
        """The same world seen by one caller: only its own tokens and instruments."""
        tokens, instruments = self.owned[key]
        return World(self.client, tokens, instruments, self.transactions, self.owned)


def build_world(app) -> World:
    """John's prepaid instrument at DigitalDownload, funded with his whole $100.00, and Rita's tab at The
    Daily Byte ($1,000.00 credit): room for many Pays before the money runs out."""
    client = app.test_client()
    buyer, fps = Buyer(client), SignedCaller(client, DD_KEY, DD_SECRET)
    card = buyer.authorize(prepaid_params("fuzz", amount="100.00"))
    funded = fps.call("FundPrepaid", SenderTokenId=card["fundingTokenID"], PrepaidInstrumentId=card["prepaidInstrumentID"],
                      CallerReference="fuzz-fund", **{"FundingAmount.Value": "100.00"})
    paid = fps.call("Pay", SenderTokenId=card["prepaidSenderTokenID"], CallerReference="fuzz-pay",
                    **{"TransactionAmount.Value": "0.50"})
    tab = buyer.authorize(postpaid_params("fuzz", credit="1000.00", total="10000.00"), email="reader@example.com",
                          method_label="Mastercard",
                          key=NEWS_KEY, secret=NEWS_SECRET)
    owned = {DD_KEY: ([card["fundingTokenID"], card["prepaidSenderTokenID"]], [card["prepaidInstrumentID"]]),
             NEWS_KEY: ([tab["creditSenderTokenID"], tab["settlementTokenID"]], [tab["creditInstrumentID"]])}
    return World(client, tokens=[t for tokens, _ in owned.values() for t in tokens],
                 instruments=[i for _, instruments in owned.values() for i in instruments],
                 transactions=[funded.find("FundPrepaidResult/TransactionId"), paid.find("PayResult/TransactionId")],
                 owned=owned)


# --- values ------------------------------------------------------------------------------------
# Text from every corner of Unicode (controls, digits of other scripts, combining marks, U+FFFE),
# without lone surrogates, which no client can send as UTF-8.
SPECIALS = ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff", "\ufeff", "\u2028", "\u202e", "²", "١",
            "<", ">", "&", "'", '"', "%", "+", "=", "?", " ", "\t", "\r", "\n", "é", "\U0001f600", "a", "1"]
nasty_text = st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=80),
                       st.lists(st.sampled_from(SPECIALS), max_size=12).map("".join))
long_text = st.integers(120, 5000).map(lambda n: "9" * n)
amounts = st.one_of(st.decimals(min_value=-1, max_value=20000, places=2, allow_nan=False).map(str),
                    st.sampled_from(["0.01", "0.50", "1", "1.00", "10.00", "1.005", "1e2", "NaN", "-0.00", "²",
                                     "٣.٠٠", " 1.00", "1.00\n", "0x1", "99999999999999999999.99"]))
times = st.one_of(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
                  .map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S") + "Z"),
                  st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-02-30T00:00:00Z",
                                   "now", "1700000000", "2026-01-01", "²⁰²⁶-01-01T00:00:00Z"]))
urls = st.one_of(st.sampled_from(["http://[::1", "http://[x]/", "https://h:99999/", "javascript:alert(1)",
                                  "http://merchant.example.com/return", "https://merchant.example.com/ipn?a=b",
                                  "ftp://x/", "//no-scheme", "http://" + "a" * 70 + ".example/"]),
                 nasty_text.map(lambda t: "http://" + t))


def values_for(name: str, world: World, hostile: bool = True):
    """A value for the parameter `name`: a plausible one, or (when hostile) as often anything at all."""
    if name.endswith(".Value") or name.endswith("Amount"):
        plausible = st.one_of(st.sampled_from(["0.01", "0.05", "0.50", "1.00", "2.00"]), amounts)
    elif name.endswith(".CurrencyCode") or name == "currencyCode":
        plausible = st.sampled_from(["USD"] * 8 + ["usd", "EUR", "", "US D"])
    elif name == "CallerReference":  # mostly new (Hypothesis repeats its draws); now and then one already used
        plausible = st.one_of(st.builds(lambda: f"fuzz-{next(_REFERENCES)}"), st.sampled_from(["fuzz-pay", "ref-1"]))
    elif "TokenId" in name:
        plausible = st.sampled_from(world.tokens + (["", "NoSuchToken", "A" * 66] if hostile else []))
    elif "InstrumentId" in name:
        plausible = st.sampled_from(world.instruments + (["", "I" * 66] if hostile else []))
    elif "TransactionId" in name:
        plausible = st.sampled_from(world.transactions + ["", "T" * 36])
    elif "Date" in name or name in ("Timestamp", "Expires"):
        plausible = times
    elif "URL" in name or "Url" in name or name == "UrlEndPoint":
        plausible = urls
    elif name in ("MaxBatchSize", "validityStart", "validityExpiry") or name.startswith("usageLimitValue"):
        plausible = st.one_of(st.integers(-5, 10**12).map(str), st.sampled_from(["²", "١٠", "1.5", "", " 3"]))
    else:
        plausible = st.one_of(st.text("abcdefgh-_.0123456789", min_size=1, max_size=20), st.sampled_from(
            ["Ascending", "Descending", "Pay", "Success", "Amount", "Count", "1 Day", "ABT,CC", "True"]))
    return st.one_of(plausible, plausible, nasty_text, long_text) if hostile else plausible


@st.composite
def api_requests(draw, world: World):
    """A signed Query-API request: (method, params). Half are plausible (the required parameters, values
    that could be right: they reach the money path); the rest carry hostile values anywhere."""
    action = draw(st.one_of(st.sampled_from(MONEY_ACTIONS),  # half of them move money
                            st.sampled_from(sorted(REGISTRY) + ["Reserve", "NoSuchAction", ""])))
    act = REGISTRY.get(action)
    hostile = draw(st.booleans())
    key, secret = draw(st.sampled_from([(DD_KEY, DD_SECRET), (NEWS_KEY, NEWS_SECRET)]))
    seen = world if hostile else world.of(key)  # plausible requests name the caller's own tokens
    names = sorted(act.allowed) if act else ["TokenId", "CallerReference"]
    chosen = draw(st.lists(st.sampled_from(names), max_size=len(names) if hostile else draw(st.integers(0, 2)),
                           unique=True)) if names else []
    required = list(act.required) if act and (not hostile or draw(st.booleans())) else []
    params = {name: draw(values_for(name, seen, hostile)) for name in dict.fromkeys(required + chosen)}
    if hostile and draw(st.integers(0, 4)) == 0:
        params[draw(nasty_text.filter(bool))] = draw(nasty_text)  # a parameter no action has
    common = {"Action": action, "AWSAccessKeyId": key, "Version": draw(st.sampled_from(VERSIONS)),
              "Timestamp": timestamp(), "SignatureVersion": "2", "SignatureMethod": "HmacSHA256"}
    if hostile and draw(st.integers(0, 2)) == 0:
        name = draw(st.sampled_from(sorted(common)))
        common[name] = draw(st.one_of(values_for(name, world), st.sampled_from(["1", "0", "HmacMD5", "2011-09-20"])))
    method = draw(st.sampled_from(["GET", "POST"]))
    values = {k: v for k, v in {**common, **params}.items() if "\x00" not in k}
    algorithm = values["SignatureMethod"] if values["SignatureMethod"] in ("HmacSHA1", "HmacSHA256") else "HmacSHA256"
    if hostile and draw(st.integers(0, 9)) == 0:
        values["Signature"] = draw(nasty_text)  # a wrong signature: the doctor runs
    else:
        values["Signature"] = hmac_sign(secret, string_to_sign_v2(method, "localhost", "/", values), algorithm)
    return method, values


@st.composite
def cbui_links(draw, world: World):
    """A signed Co-Branded start link whose inputs are sometimes plausible, sometimes hostile."""
    pipeline = draw(st.sampled_from(["SetupPrepaid", "SetupPostpaid", *PIPELINES, "", "Bogus"]))
    base = prepaid_params(draw(st.text("abc123", min_size=1, max_size=8))) if pipeline != "SetupPostpaid" else \
        postpaid_params(draw(st.text("abc123", min_size=1, max_size=8)))
    changed = draw(st.lists(st.sampled_from(CBUI_PARAMS), max_size=6, unique=True))
    params = {**base, "pipelineName": pipeline, "returnURL": MERCHANT_RETURN}
    for name in changed:
        params[name] = draw(values_for(name, world))
    for name in draw(st.lists(st.sampled_from(sorted(params)), max_size=2, unique=True)):
        params.pop(name)
    key, secret = (NEWS_KEY, NEWS_SECRET) if pipeline == "SetupPostpaid" else (DD_KEY, DD_SECRET)
    return cbui_link(params, key=key, secret=secret)


@st.composite
def raw_requests(draw):
    """Requests no client library would make: odd verbs, paths, bodies, content types and Host headers."""
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]))
    path = draw(st.sampled_from(["/", "/cobranded-ui/actions/start", "/admin/", "/admin/transactions",
                                 "/certs/x/PKICert.pem", "/nowhere"]))
    query = draw(st.one_of(st.just(""), nasty_text.map(lambda t: quote(t, safe="=&%")), st.sampled_from(
        ["Action=Pay", "%", "a=%ZZ", "=&=", "Action=" + "A" * 5000])))
    body = draw(st.one_of(st.just(b""), st.binary(max_size=300), nasty_text.map(str.encode)))
    content_type = draw(st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data",
                                         "multipart/form-data; boundary=x", "text/xml", "application/json", None]))
    host = draw(st.one_of(st.just("localhost"), st.sampled_from(["a" * 64 + ".x", "h:99999", "[::1", "é.x",
                                                                 "localhost:5000", "evil.example"])))
    return method, path + ("?" + query if query else ""), body, content_type, host


# --- checks ------------------------------------------------------------------------------------
@dataclass
class Tally:
    """Replies counted by HTTP status, and every reply that broke a rule (at most a few kept)."""

    statuses: Counter = field(default_factory=Counter)
    codes: Counter = field(default_factory=Counter)  # FPS error codes (API replies)
    problems: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(what)


def check_api_reply(reply, tally: Tally, what: str) -> None:
    """Never a 5xx; always FPS XML: an error <Response> with Code and Message, or an action's reply."""
    tally.statuses[reply.status_code] += 1
    if reply.status_code >= 500:
        return tally.fail(f"{reply.status_code} for {what}: {reply.data[:200]!r}")
    try:
        root = ET.fromstring(reply.data)
    except ET.ParseError as exc:
        return tally.fail(f"not XML ({exc}) for {what}: {reply.data[:200]!r}")
    if root.tag == "Response":
        tally.codes[root.findtext("Errors/Error/Code")] += 1
        if not root.findtext("Errors/Error/Code") or root.findtext("Errors/Error/Message") is None:
            tally.fail(f"an error without Code or Message for {what}")
    elif not root.tag.endswith("Response") or reply.status_code != 200:
        tally.fail(f"{reply.status_code} {root.tag} for {what}")


def check_cbui_reply(reply, tally: Tally, what: str) -> None:
    """A redirect (to the sign-in page, or to the returnURL with a status) or a page; never a 5xx."""
    tally.statuses[reply.status_code] += 1
    if reply.status_code >= 500:
        return tally.fail(f"{reply.status_code} for {what}: {reply.data[:200]!r}")
    if reply.status_code == 302:
        location = reply.headers.get("Location", "")
        if urlsplit(location).path.startswith("/cobranded-ui/"):
            return None  # on to the sign-in page
        status = dict(parse_qsl(urlsplit(location).query)).get("status")
        if urlsplit(location).scheme not in ("http", "https") or status not in ("CE", "PE", "NP", "A", "SE"):
            tally.fail(f"redirect to {location[:100]} for {what}")
    elif reply.status_code not in (200, 400, 403, 404) or b"<!doctype html>" not in reply.data[:200].lower():
        tally.fail(f"{reply.status_code} without a page for {what}")


def check_raw_reply(reply, request: tuple, tally: Tally) -> None:
    """Never a 5xx; on the Query API's root every answer but the GET redirect to the console is FPS XML."""
    method, path, _body, _type, _host = request
    tally.statuses[reply.status_code] += 1
    if reply.status_code >= 500:
        return tally.fail(f"{reply.status_code} for {method} {path[:80]}: {reply.data[:200]!r}")
    bare_get = method in ("GET", "HEAD") and urlsplit(path).query == ""
    if urlsplit(path).path == "/" and not bare_get and method != "HEAD":
        try:
            ET.fromstring(reply.data)
        except ET.ParseError:
            tally.fail(f"not XML for {method} {path[:80]}: {reply.data[:200]!r}")


def send_raw(client, request: tuple):
    method, path, body, content_type, host = request
    headers = {"Host": host}
    if content_type:
        headers["Content-Type"] = content_type
    return client.open(path, method=method, data=body, headers=headers)
