"""Reading flat Query-API parameters into typed values, with errors that name the parameter
and show the expected shape (features.md pain point 6)."""

from __future__ import annotations

from collections.abc import Mapping

from ..domain import errors
from ..domain.money import CURRENCIES, MoneyFormatError, parse_cents
from ..domain.text import fits_xml

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
