"""Deterministic mode (runtime/seeded.py): with a seed, the same calls give the same XML, ids and times on
every run, whichever server process answers; on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from conftest import DD_KEY, DD_SECRET, Buyer, SignedCaller, dispose, prepaid_params, services_of
from sandbox import create_app
from sandbox.models import ApiCall
from sandbox.runtime import classroom
from test_classroom import PAY, boxes, fresh_app, make


def _fresh(app_config, tmp_path, run: str, **extra):
    return fresh_app(app_config, tmp_path, run, **{"FPS_SEED": "golden", **extra})


def _story(caller: SignedCaller, peek=None) -> list[str]:
    """The prepaid story's answers, in order: the Co-Branded return parameters, then each call's XML."""
    ret = Buyer(caller.client).authorize(prepaid_params("1"), key=caller.key, secret=caller.secret)
    out = [repr(sorted(ret.items()))]
    calls = [("FundPrepaid", {"SenderTokenId": ret["fundingTokenID"], "PrepaidInstrumentId": ret["prepaidInstrumentID"],
                              "CallerReference": "fund-1", "FundingAmount.Value": "10.00"}),
             ("Pay", {"SenderTokenId": ret["prepaidSenderTokenID"], "CallerReference": "pay-1", **PAY}),
             ("Pay", {"SenderTokenId": "NOSUCHTOKEN", "CallerReference": "pay-2", **PAY}),
             ("GetPrepaidBalance", {"PrepaidInstrumentId": ret["prepaidInstrumentID"]})]
    for action, params in calls:
        answer = caller.call(action, **params)
        out.append(answer.text)
        if peek:
            peek()
    txn = re.search(r"<TransactionId>(\w+)<", out[2]).group(1)
    out.append(caller.call("GetTransaction", TransactionId=txn).text)
    return out


def _peeker(client):
    """Looks at console pages (no request number taken)."""
    return lambda: [client.get(p) for p in ("/admin/", "/admin/transactions", "/admin/requests", "/admin/coverage")]


def test_the_same_calls_give_the_same_xml_on_every_run(app_config, tmp_path):
    """Two installations with one seed: every answer the same to the byte, RequestIds and times included;
    console pages looked at in one run and not in the other change nothing; another seed, other ids."""
    answers, times = [], []
    for run, seed in (("one", "golden"), ("two", "golden"), ("three", "other")):
        app = _fresh(app_config, tmp_path, run, FPS_SEED=seed)
        client = app.test_client()
        answers.append(_story(SignedCaller(client, DD_KEY, DD_SECRET), _peeker(client) if run == "one" else None))
        with app.app_context(), services_of(app).storage.read() as conn:
            times.append(conn.execute(select(ApiCall.at).order_by(ApiCall.id)).scalars().all())
        dispose(app)
    assert answers[0] == answers[1]
    assert times[0] == times[1] and times[0] == sorted(set(times[0]))  # one second per request, in order
    assert times[0][0] >= datetime(2026, 1, 1) and times[0][-1] < datetime(2026, 1, 1, 0, 1)
    request_ids = [re.search(r"<RequestI[dD]>([^<]+)<", text).group(1) for text in answers[0][1:]]
    assert len(set(request_ids)) == len(request_ids)
    assert "<DateReceived>2026-01-01T00:00:" in answers[0][-1]
    assert "<Code>InvalidTokenId_Sender</Code>" in answers[0][3]
    assert answers[2][0] != answers[0][0] and answers[2][2] != answers[0][2]  # another seed: other ids


def test_two_server_processes_share_the_numbers(app_config, tmp_path):
    """Two applications on one database (two server processes) take turns: no id is drawn twice, and each
    request is one second after the one before, whichever process answered."""
    first = _fresh(app_config, tmp_path, "shared")
    second = create_app({**first.config, "FPS_SEED": "golden"})
    ret = Buyer(first.test_client()).authorize(prepaid_params("1"), key=DD_KEY, secret=DD_SECRET)
    callers = [SignedCaller(a.test_client(), DD_KEY, DD_SECRET) for a in (first, second)]
    funded = callers[1].call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], CallerReference="fund-1",
                             PrepaidInstrumentId=ret["prepaidInstrumentID"], **{"FundingAmount.Value": "10.00"})
    assert funded.find("FundPrepaidResult/TransactionStatus") == "Success", funded.text
    ids = []
    for n in range(8):
        paid = callers[n % 2].call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference=f"p-{n}", **PAY)
        assert paid.find("PayResult/TransactionStatus") == "Success", paid.text
        ids.append(paid.find("PayResult/TransactionId"))
    assert len(set(ids)) == 8
    with first.app_context(), services_of(first).storage.read() as conn:
        times = conn.execute(select(ApiCall.at).where(ApiCall.action == "Pay").order_by(ApiCall.id)).scalars().all()
    assert [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)] == [1.0] * 7
    dispose(second)
    dispose(first)


def test_a_seeded_clock_moves_from_the_console(app_config, tmp_path):
    """Moving a seeded sandbox's clock a day moves its next answers a day; back to its own time after."""
    app = _fresh(app_config, tmp_path, "clock")
    client = app.test_client()
    fps = SignedCaller(client, DD_KEY, DD_SECRET)
    before = fps.call("GetAccountBalance")
    assert before.status == 200, before.text
    with app.app_context():
        services_of(app).clock.move(services_of(app).clock.offset + (datetime(2026, 1, 2) - datetime(2026, 1, 1)))
    fps.call("GetAccountBalance")
    with app.app_context(), services_of(app).storage.read() as conn:
        times = conn.execute(select(ApiCall.at).order_by(ApiCall.id)).scalars().all()
    assert times[0].date() == datetime(2026, 1, 1).date() and times[1].date() == datetime(2026, 1, 2).date()
    dispose(app)


def test_a_sandbox_with_its_own_seed_is_deterministic_too(app_config, tmp_path):
    """A class's sandbox made with a seed (no FPS_SEED): the same token ids, RequestIds and times twice."""
    seen = []
    for run in ("one", "two"):
        app = _fresh(app_config, tmp_path, run, FPS_SEED=None)
        ada = make(app, "Ada", seed="lesson-seed")["ada"]
        seen.append(_story(ada))
        with app.app_context():
            classroom.delete_all(boxes(app))
        dispose(app)
    assert seen[0] == seen[1]
    assert "2026-01-01T00:00:" in seen[0][-1]


def test_pending_work_completes_at_a_requests_time_not_the_workers(app_config, tmp_path):
    """A card funding is Pending for five seconds of sandbox time; the background round (`flask tick`) leaves
    it, and the first request after it is due completes it at that request's time, the same on every run."""
    completed = []
    for run in ("one", "two"):
        app = _fresh(app_config, tmp_path, run, FPS_PENDING_SECONDS=5)
        client = app.test_client()
        fps = SignedCaller(client, DD_KEY, DD_SECRET)
        ret = Buyer(client).authorize(prepaid_params("1"), method_label="Visa ending in 1111")
        funded = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], CallerReference="fund-1",
                          PrepaidInstrumentId=ret["prepaidInstrumentID"], **{"FundingAmount.Value": "10.00"})
        txn = funded.find("FundPrepaidResult/TransactionId")
        assert funded.find("FundPrepaidResult/TransactionStatus") == "Pending", funded.text
        statuses = []
        for _ in range(6):  # each request one second later: due after five
            assert "Completed 0 due" in app.test_cli_runner().invoke(args=["tick"]).output
            statuses.append(fps.call("GetTransactionStatus", TransactionId=txn).find(
                "GetTransactionStatusResult/TransactionStatus"))
        assert statuses[0] == "Pending" and statuses[-1] == "Success", statuses
        completed.append((statuses, fps.call("GetTransaction", TransactionId=txn).find(
            "GetTransactionResult/Transaction/DateCompleted")))
        dispose(app)
    assert completed[0] == completed[1] and completed[0][1].startswith("2026-01-01T00:00:")
