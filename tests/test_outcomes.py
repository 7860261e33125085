"""Forcing outcomes: the special token IDs, the .60–.89 amount triggers, and armed faults (error,
Pending-then-Failure, delay; next N calls, every call, or a share), armed over JSON and the page."""

import time
from datetime import timedelta

import pytest

from conftest import csrf, prepaid_params, services_of
from sandbox.api.render import STATUS_FOR_CODE
from sandbox.domain import errors
from sandbox.domain.clock import FixedClock, utcnow
from sandbox.domain.outcomes import SPECIAL_RECIPIENT_TOKENS, SPECIAL_SENDER_TOKENS


def amount(value, prefix="TransactionAmount"):
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def arm(client, **fault):
    r = client.post("/admin/faults.json", json=fault)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@pytest.mark.parametrize("token, code", sorted(SPECIAL_SENDER_TOKENS.items()))
def test_special_sender_tokens(fps, news, tab, token, code):
    r = fps.call("Pay", SenderTokenId=token, CallerReference="x", **amount("1.00"))
    assert r.error_code == code and "sandbox test token" in r.error_message
    r = fps.call("FundPrepaid", SenderTokenId=token, PrepaidInstrumentId="X", CallerReference="y",
                 **amount("1.00", "FundingAmount"))
    assert r.error_code == code
    r = news.call("SettleDebt", SenderTokenId=token, CreditInstrumentId=tab["creditInstrumentID"],
                  CallerReference="z", **amount("1.00", "SettlementAmount"))
    assert r.error_code == code


@pytest.mark.parametrize("token, code", sorted(SPECIAL_RECIPIENT_TOKENS.items()))
def test_special_recipient_tokens(fps, funded, token, code):
    r = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], RecipientTokenId=token, CallerReference="x",
                 **amount("1.00"))
    assert r.error_code == code
    assert fps.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"]).find(
        "GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "10.000000"


def status(caller, tid):
    r = caller.call("GetTransactionStatus", TransactionId=tid)
    return r.find("GetTransactionStatusResult/TransactionStatus"), r.find("GetTransactionStatusResult/StatusCode")


def test_amount_trigger_temporary_decline(app, fps, buyer):
    clock = FixedClock(utcnow())
    services_of(app).clock = clock
    ret = buyer.authorize(prepaid_params(amount="20.00"))
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="f1", **amount("10.65", "FundingAmount"))
    assert r.find("FundPrepaidResult/TransactionStatus") == "Pending"  # even by ABT
    tid = r.find("FundPrepaidResult/TransactionId")
    clock.advance(timedelta(seconds=1))
    assert status(fps, tid) == ("Failure", "TemporaryDecline")
    assert fps.call("GetPrepaidBalance", PrepaidInstrumentId=ret["prepaidInstrumentID"]).find(
        "GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "0.000000"
    again = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                     CallerReference="f2", **amount("10.00", "FundingAmount"))
    assert again.find("FundPrepaidResult/TransactionStatus") == "Success"  # a failed funding may be retried


def test_amount_trigger_failure_and_insufficient_balance(fps, news, buyer, tab):
    ret = buyer.authorize(prepaid_params(amount="20.00"))
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="f1", **amount("10.75", "FundingAmount"))
    assert r.find("FundPrepaidResult/TransactionStatus") == "Failure"
    assert status(fps, r.find("FundPrepaidResult/TransactionId")) == ("Failure", "TransactionDenied")
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="f2", **amount("10.85", "FundingAmount"))
    assert r.error_code == "InsufficientBalance" and ".80–.89" in r.error_message
    news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="a", **amount("5.00"))
    r = news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
                  CallerReference="s", **amount("1.70", "SettlementAmount"))
    assert r.find("SettleDebtResult/TransactionStatus") == "Failure"
    assert news.call("GetDebtBalance", CreditInstrumentId=tab["creditInstrumentID"]).find(
        "GetDebtBalanceResult/DebtBalance/AvailableBalance/Value") == "5.000000"


def test_amount_triggers_can_be_switched_off(app, fps, buyer):
    from dataclasses import replace

    svc = services_of(app)
    svc.policy = replace(svc.policy, amount_triggers=False)
    ret = buyer.authorize(prepaid_params(amount="20.00"))
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="f1", **amount("10.85", "FundingAmount"))
    assert r.find("FundPrepaidResult/TransactionStatus") == "Success"


def test_prepaid_pays_are_not_triggered_by_amounts(fps, funded):
    for value in ("0.65", "0.75", "0.85"):
        r = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=value, **amount(value))
        assert r.find("PayResult/TransactionStatus") == "Success"


def test_error_fault_for_the_next_n_calls(client, fps, funded):
    fault = arm(client, action="Pay", mode="error", error_code="TokenUsageError", count=2)
    outcomes = [fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"p{n}",
                         **amount("0.50")) for n in range(3)]
    assert [o.error_code for o in outcomes] == ["TokenUsageError", "TokenUsageError", None]
    assert f"Forced by armed fault #{fault}" in outcomes[0].error_message
    listed = client.get("/admin/faults.json").get_json()["faults"]
    assert listed == [{"id": fault, "action": "Pay", "mode": "error", "error_code": "TokenUsageError",
                       "remaining": 0, "percent": None, "delay_ms": 0, "hits": 2}]
    assert fps.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"]).find(
        "GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "9.500000"


def test_every_call_of_any_action_until_disarmed(client, fps):
    arm(client, action="*", mode="error", error_code="ServiceUnavailable")
    for _ in range(3):
        r = fps.call("GetTotalPrepaidLiability")
        assert (r.status, r.error_code) == (503, "ServiceUnavailable")
    assert client.delete("/admin/faults.json", json={}).get_json() == {"disarmed": 1}
    assert fps.call("GetTotalPrepaidLiability").status == 200


def test_a_share_of_calls(client, fps):
    arm(client, action="GetTotalPrepaidLiability", mode="error", error_code="InternalError", percent=50)
    failures = sum(fps.call("GetTotalPrepaidLiability").status == 500 for _ in range(200))
    assert 60 <= failures <= 140  # binomial(200, 0.5): far outside this once in ~10^8 runs


def test_pending_then_failure_fault(app, client, fps, buyer):
    arm(client, action="FundPrepaid", mode="pending_fail", error_code="AccessFailure", count=1)
    ret = buyer.authorize(prepaid_params())
    r = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="f", **amount("10.00", "FundingAmount"))
    assert r.find("FundPrepaidResult/TransactionStatus") == "Pending"
    assert status(fps, r.find("FundPrepaidResult/TransactionId")) == ("Failure", "AccessFailure")  # 0 s delay
    detail = fps.call("GetTransaction", TransactionId=r.find("FundPrepaidResult/TransactionId"))
    assert detail.find("GetTransactionResult/Transaction/StatusMessage") == errors.AccessFailure.message


def test_delay_fault(client, fps):
    arm(client, action="GetTotalPrepaidLiability", mode="delay", delay_ms=300, count=1)
    started = time.monotonic()
    assert fps.call("GetTotalPrepaidLiability").status == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("code", sorted(errors.REGISTRY))
def test_every_error_code_can_be_produced(client, fps, code):
    arm(client, action="GetTotalPrepaidLiability", mode="error", error_code=code, count=1)
    r = fps.call("GetTotalPrepaidLiability")
    assert r.error_code == code and r.status == STATUS_FOR_CODE.get(code, 400)


@pytest.mark.parametrize("body, message", [
    ({"action": "Fly", "mode": "error", "error_code": "InternalError"}, "unknown action"),
    ({"action": "Pay", "mode": "explode"}, "mode must be one of"),
    ({"action": "Pay", "mode": "error", "error_code": "NoSuchCode"}, "unknown FPS error code"),
    ({"action": "Pay", "mode": "pending_fail"}, "pending_fail applies to FundPrepaid, SettleDebt"),
    ({"action": "Pay", "mode": "delay", "delay_ms": 99999}, "delay_ms must be between"),
    ({"action": "Pay", "mode": "error", "error_code": "InternalError", "count": 0}, "count must be at least 1"),
    ({"action": "Pay", "mode": "error", "error_code": "InternalError", "percent": 0}, "share must be between"),
    ({"action": "Pay", "mode": "error", "error_code": "InternalError", "count": "lots"}, "invalid literal"),
])
def test_bad_fault_requests(client, body, message):
    r = client.post("/admin/faults.json", json=body)
    assert r.status_code == 400 and message in r.get_json()["error"]


def test_fault_json_needs_json(client):
    assert client.post("/admin/faults.json", data={"action": "Pay"}).status_code == 415
    assert client.post("/admin/faults.json", data="[1]", content_type="application/json").status_code == 400


def test_faults_page_arms_and_disarms_with_csrf(client, fps):
    page = client.get("/admin/faults").get_data(as_text=True)
    assert "No faults armed" in page
    r = client.post("/admin/faults", data={"csrf_token": csrf(page), "action": "GetTotalPrepaidLiability",
                                           "mode": "error", "error_code": "AccessFailure", "count": "1",
                                           "percent": "", "delay_ms": "0", "submit": "Arm"})
    assert r.status_code == 302
    page = client.get("/admin/faults").get_data(as_text=True)
    assert "Armed fault #" in page and "AccessFailure" in page
    assert client.post("/admin/faults", data={"action": "Pay", "mode": "error"}).status_code == 400  # no CSRF
    for bad in ("abc", "9" * 25, "-3"):  # a bad fault id disarms nothing (never all of them)
        r = client.post("/admin/faults/disarm", data={"csrf_token": csrf(page), "fault_id": bad, "submit": "disarm"},
                        follow_redirects=True)
        assert "there is no such fault" in r.get_data(as_text=True) and "AccessFailure" in r.get_data(as_text=True)
    r = client.post("/admin/faults/disarm", data={"csrf_token": csrf(page), "submit": "disarm-all"})
    assert r.status_code == 302 and "No faults armed" in client.get("/admin/faults").get_data(as_text=True)
    assert fps.call("GetTotalPrepaidLiability").status == 200


def test_faults_do_not_touch_unauthenticated_calls(client, fps):
    arm(client, action="*", mode="error", error_code="InternalError")
    r = fps.call("GetTotalPrepaidLiability", Unknown="x")
    assert r.error_code == "InvalidRequest"  # request errors come before faults
