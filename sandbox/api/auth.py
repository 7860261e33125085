"""Authenticating a Query-API request: access key, signature (v1/v2), timestamp, version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..domain import errors
from ..domain.accounts import Party
from ..signature import HMAC_ALGORITHMS, Verdict, host_candidates, verify_hmac
from ..signature_doctor import diagnose

VERSIONS = {  # 2011-09-20 is what the amazon_flex_pay gem sends; it behaves as 2010-08-28 (docs/deviations.md)
    version: f"http://fps.amazonaws.com/doc/{version}/" for version in ("2008-09-17", "2010-08-28", "2011-09-20")}
AMAZON_API_HOSTS = ("fps.sandbox.amazonaws.com", "fps.amazonaws.com")
CREDENTIALS = frozenset({"AWSAccessKeyId", "Signature"})
COMMON_PARAMS = frozenset(
    {"Action", "AWSAccessKeyId", "Version", "Timestamp", "Expires", "Signature", "SignatureVersion", "SignatureMethod"}
)


@dataclass(frozen=True)
class Request:
    """What the API face saw of an HTTP request."""

    method: str
    host: str
    path: str
    params: dict[str, str]
    order: list[str] | None = None  # the order the parameters arrived in (for the signature doctor)


def require(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise errors.MissingParameter(name=name)
    return value


def check_signature(req: Request, caller: Party, mode: str = "strict") -> Verdict | None:
    """SignatureDoesNotMatch (showing the sandbox's string to sign) unless the signature fits."""
    params = req.params
    version = require(params, "SignatureVersion")
    if version not in ("1", "2"):
        raise errors.InvalidParams(f"SignatureVersion {version[:10]!r} is not supported: use 2 (or 1).")
    algorithm = params.get("SignatureMethod", "HmacSHA1" if version == "1" else "")
    if algorithm not in HMAC_ALGORITHMS:
        raise errors.InvalidParams(
            f"SignatureMethod {algorithm[:20]!r} is not supported: use HmacSHA256 or HmacSHA1."
        )
    signature = require(params, "Signature")
    if mode == "off":
        return None
    verdict = verify_hmac(
        caller.secret_key or "", signature, params, version=version, algorithm=algorithm, method=req.method,
        hosts=host_candidates(req.host, *AMAZON_API_HOSTS), path=req.path,
    )
    if not verdict.ok:
        shown = verdict.string_to_sign.replace("\n", "\\n")
        causes = diagnose(caller.secret_key or "", signature, params, method=req.method, host=req.host.lower(),
                          path=req.path, received_order=req.order or list(params), version=version,
                          algorithm=algorithm or "HmacSHA1", amazon_hosts=AMAZON_API_HOSTS)
        err = errors.SignatureDoesNotMatch(
            "The request signature we calculated does not match the signature you provided. "
            f"Check your AWS Secret Access Key and signing method. The string to sign we computed was: '{shown}' "
            f"(signature version {version}; hosts accepted: {', '.join(host_candidates(req.host, *AMAZON_API_HOSTS))})."
            f" Likely cause: {'; or '.join(causes)}."
        )
        err.string_to_sign, err.causes = verdict.string_to_sign, causes  # for the request log
        raise err
    return verdict


def parse_timestamp(value: str, name: str) -> datetime:
    """An ISO 8601 time (Z or offset, with or without fractions) as naive UTC."""
    text = value.strip()
    try:
        if len(text) > 40:
            raise ValueError
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if "T" not in text:
            raise ValueError
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved across midnight by its offset
        raise errors.InvalidParameterValue(
            f"Value ({value[:40]}) for parameter {name} is invalid. Must be in ISO8601 format."
        ) from None


def check_time(params: dict[str, str], now: datetime, skew: timedelta) -> None:
    """RequestExpired when Timestamp is outside now ± skew, or Expires has passed."""
    if "Expires" in params and "Timestamp" not in params:
        expires = parse_timestamp(params["Expires"], "Expires")
        if now - skew > expires:  # not expires + skew: that overflows for an Expires in the year 9999
            raise errors.RequestExpired(f"Request has expired. Expires date is {params['Expires'][:40]}")
        return
    stamp = parse_timestamp(require(params, "Timestamp"), "Timestamp")
    if abs(now - stamp) > skew:
        raise errors.RequestExpired(timestamp=params["Timestamp"][:40])


def check_version(params: dict[str, str]) -> str:
    """The response namespace for the request's Version."""
    version = require(params, "Version")
    if version not in VERSIONS:
        raise errors.InvalidParameterValue(
            f"Value ({version[:20]}) for parameter Version is invalid. Supported versions: {', '.join(VERSIONS)}."
        )
    return VERSIONS[version]
