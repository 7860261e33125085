"""Money parsing and rendering: exact, two decimals at most, never float."""

from decimal import Decimal

import pytest

from sandbox.domain.money import MoneyFormatError, display, fps_value, parse_cents, plain


@pytest.mark.parametrize("text, cents", [
    ("10", 1000), ("10.5", 1050), ("10.50", 1050), ("0.01", 1), ("0.5", 50), ("000.10", 10),
    ("999999999.99", 99999999999), ("0", 0),
])
def test_parse(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text", [
    "", " 1", "1 ", "-1", "+1", "1.001", "1e3", "1E3", "NaN", "Infinity", "1,00", ".5", "1.", "0x10", "١٢",
    "1" * 10, "1.0.0", "1\n", "1.00\n", None, 10,
])
def test_parse_rejects(text):
    with pytest.raises(MoneyFormatError):
        parse_cents(text)


def test_render():
    assert fps_value(970) == "9.700000"
    assert fps_value(-10) == "-0.100000"
    assert fps_value(0) == "0.000000"
    for cents in (1, -1, 99, -99, 100, -101, 123_456_789, -10**15):  # written in integers: as a Decimal writes it
        assert fps_value(cents) == f"{Decimal(cents) / 100:.6f}"
    assert plain(5) == "0.05"
    assert display(970) == "$9.70" and display(-30) == "-$0.30" and display(123456) == "$1,234.56"
