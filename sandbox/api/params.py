"""Declared Query-API parameters and reading them into typed values, with errors that name the
parameter and show the expected shape (features.md pain point 6).

Each action declares its parameters once (actions/registry.py); the dispatcher reads them all
before the handler runs, so a handler only ever sees parsed values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ..domain import errors
from ..domain.driver_sql import Read
from ..domain.ids import TOKEN_ID_MAX, TRANSACTION_ID_MAX
from ..domain.money import CURRENCIES, MoneyFormatError, parse_cents
from ..domain.text import ascii_digits, fits_xml
from ..urls import valid_http_url
from .auth import parse_timestamp

MAX_PARAM_CHARS = 4096


class Params:
    """The request's parameters (one value each) with typed readers."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.values.get(name, default)

    def required(self, name: str, max_len: int = 128, shape: str | None = None) -> str:
        value = self.values.get(name)
        if value is None or value == "":
            hint = f" Send it as {shape}." if shape else ""
            raise errors.InvalidParams(f"The parameter {name} is required but was not given.{hint}")
        return self._length(name, value, max_len)

    def optional(self, name: str, max_len: int = 160) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        return self._length(name, value, max_len)

    def amount(self, prefix: str) -> int:
        """The cents of a required Amount parameter `prefix`.Value (+ optional .CurrencyCode=USD)."""
        shape = f"{prefix}.Value=1.00&{prefix}.CurrencyCode=USD"
        raw = self.values.get(f"{prefix}.Value")
        if raw is None or raw == "":
            if prefix in self.values:
                raise errors.InvalidParams(
                    f"{prefix} is an Amount with two members: send {shape}, not {prefix}={self.values[prefix][:40]}."
                )
            raise errors.InvalidParams(f"The parameter {prefix}.Value is required but was not given. Send {shape}.")
        currency = self.values.get(f"{prefix}.CurrencyCode", "USD")
        if currency not in CURRENCIES:
            raise errors.InvalidParams(
                f"{prefix}.CurrencyCode {currency[:20]!r} is not supported: the only currency is USD ({shape})."
            )
        try:
            return parse_cents(raw)
        except MoneyFormatError:
            raise errors.InvalidParams(
                f"{prefix}.Value {raw[:40]!r} is not a valid amount: use a plain decimal with at most two "
                f"decimals, e.g. {shape}."
            ) from None

    def optional_amount(self, prefix: str) -> int | None:
        """The cents of an optional Amount parameter, or None when it is not given."""
        if not self.values.get(f"{prefix}.Value") and prefix not in self.values:
            return None
        return self.amount(prefix)

    def _length(self, name: str, value: str, max_len: int) -> str:
        if len(value) > max_len or (max_len <= 128 and len(value.encode("utf-8")) > max_len):
            raise errors.InvalidParams(f"The parameter {name} is too long: at most {max_len} characters are allowed.")
        if not fits_xml(value):  # control characters, U+FFFE, U+FFFF: GetTransaction could not echo them
            raise errors.InvalidParams(f"The parameter {name} contains control characters.")
        return value


def single_values(multi: Mapping[str, list[str]]) -> dict[str, str]:
    """One value per parameter; a repeated parameter or an oversized value is an InvalidParams."""
    out: dict[str, str] = {}
    for name, values in multi.items():
        if len(values) > 1 and len(set(values)) > 1:
            raise errors.InvalidParams(f"The parameter {name[:64]} appears more than once with different values.")
        if len(values[0]) > MAX_PARAM_CHARS or len(name) > 128:
            raise errors.InvalidParams(f"The parameter {name[:64]} is too long.")
        if "\x00" in name or "\x00" in values[0]:  # no database stores NUL in text
            raise errors.InvalidParams(f"The parameter {name[:64]!r} contains a NUL character.")
        out[name] = values[0]
    return out


@dataclass(frozen=True)
class Param:
    """One declared parameter: the request names it covers, how it is read, and where it goes.

    `to_call` parameters (CallerReference, the descriptions, OverrideIPNURL) go into the domain's
    call value; the others are handed to the handler as `args.<arg>`; those without `read` are only
    accepted (checked by the general rules: length, one value, no NUL).
    """

    name: str
    names: tuple[str, ...]
    required: bool
    read: Callable[[Params], object] | None
    arg: str
    to_call: bool = False
    since: str | None = None  # the API version that added it; older requests may not send it

    @property
    def required_names(self) -> tuple[str, ...]:
        return self.names if self.required else ()


def _arg_name(name: str) -> str:
    """FPS's CamelCase as a Python name: FPSOperation -> fps_operation, Role.1 -> role_1."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name))
    return snake.replace(".", "_").lower()


def text(name: str, max_len: int = 128, *, required: bool = False, arg: str | None = None,
         to_call: bool = False) -> Param:
    """A string of at most `max_len` characters; an empty value counts as not given."""
    def read(p: Params):
        return p.required(name, max_len) if required else p.optional(name, max_len)
    return Param(name, (name,), required, read, arg or _arg_name(name), to_call)


def token_id(name: str, *, required: bool = True, arg: str | None = None) -> Param:
    """A token or instrument id."""
    return text(name, TOKEN_ID_MAX, required=required, arg=arg)


def by_id(name: str, read: Callable[[str], Read]) -> Callable[[dict[str, str]], Read | None]:
    """An action's `prefetch`: `read` of the id in parameter `name`, when the raw value looks like one (letters
    and digits, not too long); anything else is left to the parameter's own check and the handler's read."""
    def prefetch(params: dict[str, str]) -> Read | None:
        value = params.get(name)
        if value and len(value) <= TOKEN_ID_MAX and value.isascii() and value.isalnum():
            return read(value)
        return None
    return prefetch


def transaction_id(name: str = "TransactionId") -> Param:
    return text(name, TRANSACTION_ID_MAX, required=True)


def amount(prefix: str, *, required: bool = True, arg: str | None = None) -> Param:
    """An Amount: `prefix`.Value in dollars and an optional `prefix`.CurrencyCode (USD); read as cents."""
    def read(p: Params):
        return p.amount(prefix) if required else p.optional_amount(prefix)
    return Param(prefix, (f"{prefix}.Value", f"{prefix}.CurrencyCode"), required, read,
                 arg or _arg_name(prefix) + "_cents")


def choice(name: str, choices: tuple[str, ...], max_len: int = 32) -> Param:
    """An optional value from `choices`."""
    def read(p: Params):
        value = p.optional(name, max_len)
        if value is not None and value not in choices:
            raise errors.InvalidParams(f"{name} must be one of {', '.join(choices)}.")
        return value
    return Param(name, (name,), False, read, _arg_name(name))


def whole_number(name: str, max_len: int = 5) -> Param:
    """An optional count in ASCII digits."""
    def read(p: Params):
        value = p.optional(name, max_len)
        if value is not None and not ascii_digits(value):
            raise errors.InvalidParams(f"{name} must be a whole number.")
        return int(value) if value else None
    return Param(name, (name,), False, read, _arg_name(name))


def timestamp(name: str, *, required: bool = False) -> Param:
    """An ISO 8601 time, read as naive UTC."""
    def read(p: Params):
        value = p.required(name, 40) if required else p.optional(name, 40)
        return parse_timestamp(value, name) if value else None
    return Param(name, (name,), required, read, _arg_name(name))


def http_url(name: str, *, arg: str | None = None, to_call: bool = False, since: str | None = None) -> Param:
    """An optional http or https URL."""
    def read(p: Params):
        value = p.optional(name, 1024)
        if value is not None and not valid_http_url(value):
            raise errors.InvalidParams(f"{name} must be an http or https URL.")
        return value
    return Param(name, (name,), False, read, arg or _arg_name(name), to_call, since)


def accepted(*names: str) -> tuple[Param, ...]:
    """Parameters FPS defined that the sandbox accepts and ignores."""
    return tuple(Param(name, (name,), False, None, _arg_name(name)) for name in names)


CALLER_REFERENCE = text("CallerReference", required=True, to_call=True)
DESCRIPTIONS = (text("CallerDescription", 160, to_call=True), text("SenderDescription", 160, to_call=True))
# Where this call's notifications go instead of the caller's IPN URL (API version 2010-08-28 and later).
OVERRIDE_IPN_URL = http_url("OverrideIPNURL", arg="override_ipn_url", to_call=True, since="2010-08-28")
DESCRIPTOR = accepted("DescriptorPolicy.SoftDescriptorType", "DescriptorPolicy.CSOwner", "TransactionTimeoutInMins")


class Args(Mapping):
    """The handler's parsed parameters, read-only, by Python name (args.sender_token_id)."""

    def __init__(self, values: dict[str, object]) -> None:
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("Args are read-only")

    def __getitem__(self, name: str):
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def parse(declared: tuple[Param, ...], values: Mapping[str, str]) -> tuple[Args, dict[str, object]]:
    """Read every declared parameter in order: (the handler's args, the call value's fields)."""
    p = Params(values)
    args: dict[str, object] = {}
    call: dict[str, object] = {}
    for param in declared:
        if param.read is not None:
            (call if param.to_call else args)[param.arg] = param.read(p)
    return Args(args), call
