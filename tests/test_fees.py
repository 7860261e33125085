"""The fee engine: the default schedule reproduces the guide's and the real samples' figures."""

from pathlib import Path

import pytest

from sandbox.domain.fees import FeeSchedule

FEES = Path(__file__).parent.parent / "fixtures" / "fees"
DEFAULT = FeeSchedule.load(FEES / "default.json")
CARD_2009 = FeeSchedule.load(FEES / "card-2009.json")


@pytest.mark.parametrize("gross, fee, net", [
    (1000, 30, 970),    # the Aggregated guide: $10.00 -> $0.30, net $9.70
    (500, 30, 470),     # real sample: FundPrepaid $5.00 -> $0.30
    (100, 10, 90),      # real sample: $1.00 -> $0.10
    (999, 55, 944),     # $9.99: 0.4995 + 0.05 = 0.5495 -> 0.55 (half-up)
    (10, 6, 4),         # $0.10: 0.005 + 0.05 = 0.055 -> 0.06 (half-up, not banker's 0.06/0.05)
    (2000, 59, 1941),   # $20.00: 0.58 + 0.01
    (1050, 31, 1019),   # $10.50: 0.3045 + 0.01 = 0.3145 -> 0.31
])
def test_default_schedule(gross, fee, net):
    quote = DEFAULT.quote("FundPrepaid", "ABT", gross)
    assert (quote.fee_cents, quote.net_cents, quote.paid_by) == (fee, net, "Recipient")


def test_half_up_at_exact_half_cent():
    # $0.30 * 5% = 0.015 + 0.05 = 0.065 -> 0.07 half-up (banker's rounding would give 0.06)
    assert DEFAULT.quote("SettleDebt", "CC", 30).fee_cents == 7


def test_no_fee_on_spending():
    for op in ("Pay", "WriteOffDebt", "Refund"):
        quote = DEFAULT.quote(op, "CC", 1000)
        assert quote.fee_cents == 0 and quote.net_cents == 1000


def test_card_2009_profile():
    assert CARD_2009.quote("FundPrepaid", "CC", 1000).fee_cents == 59
    assert CARD_2009.quote("FundPrepaid", "CC", 500).fee_cents == 30


def test_per_method_tiers_override_the_fallback():
    schedule = FeeSchedule.from_dict({"name": "t", "methods": {
        "*": [{"min": "0.00", "percent": "5", "fixed": "0.05"}],
        "ABT": [{"min": "0.00", "percent": "1.5", "fixed": "0.00"}]}})
    assert schedule.quote("FundPrepaid", "ABT", 1000).fee_cents == 15
    assert schedule.quote("FundPrepaid", "CC", 1000).fee_cents == 55


@pytest.mark.parametrize("bad", [
    {"name": "x", "methods": {"CC": [{"min": "0.00", "percent": "1", "fixed": "0"}]}},
    {"name": "x", "methods": {"*": [{"min": "1.00", "percent": "1", "fixed": "0"}]}},
    {"name": "x", "methods": {"*": [], "XYZ": []}},
])
def test_malformed_schedules_are_refused(bad):
    with pytest.raises((ValueError, KeyError)):
        FeeSchedule.from_dict(bad)
