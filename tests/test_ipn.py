"""Instant Payment Notifications, delivered to a real HTTP listener on loopback: the fields and
signature of each notificationType, retries, the misbehaviour switches, OverrideIPNURL, and the
console's inbox, resend and edit."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from conftest import DD_KEY, DD_SECRET, csrf, prepaid_params, services_of, signed_params
from listener import Listener
from sandbox.runtime import ipn
from sandbox.domain.clock import FixedClock, utcnow
from sandbox.models import Account, DeliveryAttempt, Notification


@pytest.fixture(autouse=True)
def no_default_url(app):
    """The demo callers notify the merchant inbox by default (tests/test_merchant_inbox.py); here each test
    gives a listener of its own, or none."""
    with services_of(app).storage.write() as conn:
        conn.execute(update(Account).values(ipn_url=None))


@pytest.fixture
def listener():
    with Listener() as server:
        yield server


@pytest.fixture
def clock(app):
    clock = FixedClock(utcnow())
    services_of(app).clock = clock
    return clock


def settings(app, email, **values):
    with services_of(app).storage.write() as conn:
        conn.execute(update(Account).where(Account.email == email).values(**values))


def deliver(app) -> int:
    return ipn.deliver_due(services_of(app))


def amount(value, prefix="TransactionAmount"):
    return {f"{prefix}.Value": value, f"{prefix}.CurrencyCode": "USD"}


def verify(fps, url, body):
    return fps.call("VerifySignature", UrlEndPoint=url, HttpParameters=body).find(
        "VerifySignatureResult/VerificationStatus")


def rows(app):
    with services_of(app).storage.read() as conn:
        return conn.execute(select(Notification.__table__).order_by(Notification.id)).all()


@pytest.fixture
def dd_listening(app, listener):
    settings(app, "payments@digitaldownload.example", ipn_url=listener.url)
    return listener


def test_pay_notification_fields_and_signature(app, fps, funded, dd_listening, clock):
    deliver(app)  # the funding's notification
    tid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="song-1",
                   **amount("0.50")).find("PayResult/TransactionId")
    assert deliver(app) == 1
    sent = dd_listening.fields()[-1]
    assert sent["notificationType"] == "TransactionStatus" and sent["operation"] == "PAY"
    assert sent["transactionId"] == tid and sent["transactionStatus"] == "SUCCESS"
    assert sent["statusCode"] == "Success" and sent["transactionAmount"] == "USD 0.50"
    assert sent["paymentMethod"] == "Prepaid" and sent["callerReference"] == "song-1"
    assert sent["buyerName"] == "John Smith" and sent["buyerEmail"] == "john@example.com"
    assert sent["recipientName"] == "DigitalDownload" and sent["transactionDate"].isdigit()
    assert (sent["signatureVersion"], sent["signatureMethod"]) == ("2", "RSA-SHA1")
    assert sent["certificateUrl"].endswith("/PKICert.pem")
    assert dd_listening.received[-1]["content_type"].startswith("application/x-www-form-urlencoded")
    body = dd_listening.bodies()[-1]
    assert verify(fps, dd_listening.url, body) == "Success"
    assert verify(fps, dd_listening.url, body.replace("SUCCESS", "FAILURE")) == "Failure"
    assert verify(fps, dd_listening.url.replace("/ipn", "/other"), body) == "Failure"


def test_funding_by_card_notifies_pending_then_success(app, fps, buyer, dd_listening, clock):
    from dataclasses import replace

    svc = services_of(app)
    svc.policy = replace(svc.policy, pending_delay=timedelta(seconds=5))
    ret = buyer.authorize(prepaid_params(), method_label="Visa")
    fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
             CallerReference="f", **amount("10.00", "FundingAmount"))
    deliver(app)
    clock.advance(timedelta(seconds=5))
    from sandbox.runtime.services import tick

    tick(svc)
    statuses = [(f["operation"], f["transactionStatus"], f["statusCode"]) for f in dd_listening.fields()]
    assert statuses == [("FUND_PREPAID", "PENDING", "PendingNetworkResponse"), ("FUND_PREPAID", "SUCCESS", "Success")]
    assert all(verify(fps, dd_listening.url, b) == "Success" for b in dd_listening.bodies())


def test_settle_write_off_refund_and_token_cancellation(app, news, fps, tab, funded, listener, clock):
    settings(app, "billing@dailybyte.example", ipn_url=listener.url)
    settings(app, "payments@digitaldownload.example", ipn_url=listener.url)
    news.call("Pay", SenderTokenId=tab["creditSenderTokenID"], CallerReference="a", **amount("5.00"))
    news.call("SettleDebt", SenderTokenId=tab["settlementTokenID"], CreditInstrumentId=tab["creditInstrumentID"],
              CallerReference="s", **amount("3.00", "SettlementAmount"))
    news.call("WriteOffDebt", CreditInstrumentId=tab["creditInstrumentID"], CallerReference="w",
              **amount("2.00", "AdjustmentAmount"))
    tid = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p",
                   **amount("1.00")).find("PayResult/TransactionId")
    fps.call("Refund", TransactionId=tid, CallerReference="r")
    news.call("CancelToken", TokenId=tab["creditSenderTokenID"], ReasonText="done")
    while deliver(app):
        pass
    sent = listener.fields()
    ops = [f.get("operation", f["notificationType"]) for f in sent]
    # (the funding's notification came before any URL was set: kept in the inbox, not sent)
    assert ops == ["PAY", "SETTLE_DEBT", "WRITE_OFF_DEBT", "PAY", "REFUND", "TokenCancellation"]
    refund = next(f for f in sent if f.get("operation") == "REFUND")
    assert refund["parentTransactionId"] == tid and refund["transactionAmount"] == "USD 1.00"
    settle = next(f for f in sent if f.get("operation") == "SETTLE_DEBT")
    assert settle["paymentMethod"] == "CC" and settle["buyerEmail"] == "reader@example.com"
    cancel = next(f for f in sent if f["notificationType"] == "TokenCancellation")
    assert cancel["tokenId"] == tab["creditSenderTokenID"] and cancel["tokenType"] == "MultiUse"
    assert cancel["callerReference"] == "reader-1" and cancel["customerEmail"] == "reader@example.com"
    assert len(cancel["dateInstalled"].split()) == 3  # "Nov 22, 2026"
    for body in listener.bodies():
        assert verify(fps, listener.url, body) == "Success"


def test_without_a_url_notifications_are_kept_not_sent(app, fps, funded, listener):
    assert deliver(app) == 0
    kept = rows(app)
    assert [(n.state, n.url, n.status) for n in kept] == [("no_url", None, "Success")]
    assert listener.received == []


def test_retries_after_listener_errors_then_delivers(app, fps, funded, dd_listening, clock):
    deliver(app)
    dd_listening.fail_with = [500, 503]
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p", **amount("0.50"))
    assert deliver(app) == 1
    n = rows(app)[-1]
    assert (n.state, n.attempts) == ("queued", 1) and n.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert deliver(app) == 0  # not yet due
    clock.advance(timedelta(seconds=30))
    deliver(app)
    clock.advance(timedelta(seconds=60))
    deliver(app)
    n = rows(app)[-1]
    assert (n.state, n.attempts) == ("delivered", 3)
    with services_of(app).storage.read() as conn:
        attempts = conn.execute(select(DeliveryAttempt.outcome, DeliveryAttempt.http_status)
                                .where(DeliveryAttempt.notification_pk == n.id).order_by(DeliveryAttempt.id)).all()
    assert [tuple(a) for a in attempts] == [("failed", 500), ("failed", 503), ("delivered", 200)]


def test_unreachable_listener_and_giving_up(app, fps, funded, clock):
    services_of(app).ipn_schedule = (timedelta(seconds=1), timedelta(seconds=1))
    settings(app, "payments@digitaldownload.example", ipn_url="http://127.0.0.1:9/nobody-listens")
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p", **amount("0.50"))
    for _ in range(3):
        deliver(app)
        clock.advance(timedelta(seconds=1))
    n = rows(app)[-1]
    assert (n.state, n.attempts, n.next_attempt_at) == ("failed", 3, None)
    with services_of(app).storage.read() as conn:
        excerpt = conn.execute(select(DeliveryAttempt.response_excerpt)).scalars().first()
    assert "Connection refused" in excerpt or "URLError" in excerpt


def test_switch_deliver_twice(app, fps, funded, listener, clock):
    settings(app, "payments@digitaldownload.example", ipn_url=listener.url, ipn_twice=True)
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p", **amount("0.50"))
    deliver(app)
    assert len(listener.bodies()) == 2 and listener.bodies()[0] == listener.bodies()[1]


def test_switch_out_of_order(app, fps, funded, listener, clock):
    settings(app, "payments@digitaldownload.example", ipn_url=listener.url, ipn_reorder=True)
    for n in range(3):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"p{n}", **amount("0.50"))
    assert deliver(app) == 0  # held for the reorder window
    clock.advance(timedelta(seconds=5))
    deliver(app)
    assert [f["callerReference"] for f in listener.fields()] == ["p2", "p1", "p0"]


def test_switch_delay(app, fps, funded, listener, clock):
    settings(app, "payments@digitaldownload.example", ipn_url=listener.url, ipn_delay_seconds=120)
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p", **amount("0.50"))
    clock.advance(timedelta(seconds=119))
    assert deliver(app) == 0
    clock.advance(timedelta(seconds=1))
    assert deliver(app) == 1 and listener.fields()[-1]["callerReference"] == "p"


def test_switch_drop_keeps_it_in_the_inbox_and_resend_works(app, client, fps, funded, listener, clock):
    settings(app, "payments@digitaldownload.example", ipn_url=listener.url, ipn_drop=True)
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p", **amount("0.50"))
    clock.advance(timedelta(days=2))
    assert deliver(app) == 0 and listener.received == []
    n = rows(app)[-1]
    assert n.state == "dropped"
    page = client.get(f"/admin/notifications/{n.id}").get_data(as_text=True)
    client.post(f"/admin/notifications/{n.id}/resend", data={"csrf_token": csrf(page), "submit": "resend"})
    assert listener.fields()[-1]["callerReference"] == "p" and rows(app)[-1].state == "delivered"


def test_switch_fail_first_attempts(app, fps, funded, listener, clock):
    settings(app, "payments@digitaldownload.example", ipn_url=listener.url, ipn_fail_first=2)
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p", **amount("0.50"))
    deliver(app)
    clock.advance(timedelta(seconds=30))
    deliver(app)
    assert listener.received == []  # two forced failures: nothing reached the listener
    clock.advance(timedelta(seconds=60))
    deliver(app)
    assert [f["callerReference"] for f in listener.fields()] == ["p"]
    with services_of(app).storage.read() as conn:
        outcomes = conn.execute(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id)).scalars().all()
    assert outcomes == ["forced-failure", "forced-failure", "delivered"]


def test_override_ipn_url_on_2010_08_28(app, client, funded, listener, clock):
    values = signed_params("Pay", {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": "o",
                                   "TransactionAmount.Value": "0.50", "TransactionAmount.CurrencyCode": "USD",
                                   "OverrideIPNURL": listener.url}, DD_KEY, DD_SECRET, version="2010-08-28")
    assert client.post("/", data=values).status_code == 200
    deliver(app)
    assert [f["callerReference"] for f in listener.fields()] == ["o"]  # no account URL: the override was used
    old = signed_params("Pay", {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": "o2",
                                "TransactionAmount.Value": "0.50", "OverrideIPNURL": listener.url}, DD_KEY, DD_SECRET)
    assert b"<Code>InvalidRequest</Code>" in client.post("/", data=old).data  # not in 2008-09-17
    bad = signed_params("Pay", {"SenderTokenId": funded["prepaidSenderTokenID"], "CallerReference": "o3",
                                "TransactionAmount.Value": "0.50", "OverrideIPNURL": "ftp://x/y"}, DD_KEY, DD_SECRET,
                        version="2010-08-28")
    assert b"OverrideIPNURL must be an http or https URL" in client.post("/", data=bad).data


def test_a_refused_request_makes_no_notification(app, fps, funded):
    before = len(rows(app))
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="x", **amount("99.00"))
    assert len(rows(app)) == before


def test_inbox_detail_edit_and_resend(app, client, fps, funded, dd_listening, clock):
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="<b>p</b>", **amount("0.50"))
    deliver(app)
    inbox = client.get("/admin/notifications").get_data(as_text=True)
    assert "delivered" in inbox and "TransactionStatus" in inbox
    n = rows(app)[-1]
    page = client.get(f"/admin/notifications/{n.id}").get_data(as_text=True)
    assert "&lt;b&gt;p&lt;/b&gt;" in page and "<b>p</b>" not in page
    assert "RSA-SHA1" in page and "delivered" in page and "200" in page
    edited = page.split("<textarea")[1].split(">", 1)[1].split("</textarea>")[0]
    import html

    text = html.unescape(edited).replace("transactionStatus=SUCCESS", "transactionStatus=FAILURE")
    r = client.post(f"/admin/notifications/{n.id}", data={"csrf_token": csrf(page), "fields": text, "submit": "save"})
    assert r.status_code == 302
    last = dd_listening.fields()[-1]
    assert last["transactionStatus"] == "FAILURE" and verify(fps, dd_listening.url, dd_listening.bodies()[-1]) == \
        "Success"  # edited, and signed afresh
    assert client.post(f"/admin/notifications/{n.id}", data={"csrf_token": csrf(page), "fields": "no equals sign",
                                                             "submit": "save"}).status_code == 200


def test_settings_page(app, client, listener):
    page = client.get("/admin/ipn-settings").get_data(as_text=True)
    assert "The Daily Byte" in page and "DigitalDownload" in page
    with services_of(app).storage.read() as conn:
        dd = conn.execute(select(Account.id).where(Account.email == "payments@digitaldownload.example")).scalar_one()
    prefix = f"c{dd}-"
    import re

    token = re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {f"{prefix}csrf_token": token, "caller": str(dd), f"{prefix}url": listener.url,
            f"{prefix}twice": "y", f"{prefix}delay_seconds": "7", f"{prefix}fail_first": "1", f"{prefix}submit": "Save"}
    assert client.post("/admin/ipn-settings", data=data).status_code == 302
    with services_of(app).storage.read() as conn:
        saved = conn.execute(select(Account.ipn_url, Account.ipn_twice, Account.ipn_delay_seconds,
                                    Account.ipn_fail_first, Account.ipn_drop).where(Account.id == dd)).one()
    assert tuple(saved) == (listener.url, True, 7, 1, False)
    data[f"{prefix}url"] = "ftp://nope/ipn"
    r = client.post("/admin/ipn-settings", data=data)
    assert r.status_code == 200 and "must be an http or https URL" in r.get_data(as_text=True)
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(Account.ipn_url).where(Account.id == dd)).scalar_one() == listener.url


def test_the_inbox_counts_waiting_notifications_up_to_a_limit(app, client, monkeypatch):
    from sandbox.queries import notifications as query

    monkeypatch.setattr(query, "WAITING_SHOWN", 2)
    with services_of(app).storage.write() as conn:
        for _ in range(3):
            conn.execute(Notification.__table__.insert().values(
                caller_id=1, notification_type="TokenCancellation", state="queued", created_at=utcnow(), attempts=0,
                forced_failures_left=0, twice=False))
    assert "2+ waiting to be sent" in client.get("/admin/notifications").get_data(as_text=True)


def test_two_deliverers_at_once_send_each_notification_exactly_once(app, fps, funded, dd_listening, clock):
    """Two servers' workers delivering at the same moment: each due notification is claimed by one of them
    (a batch at a time, rows the other holds skipped), so the listener hears each exactly once."""
    import threading

    for i in range(30):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"both-{i}", **amount("0.01"))
    start, counts = threading.Barrier(2), []

    def worker():
        start.wait()
        n = 0
        while made := ipn.deliver_due(services_of(app), limit=4):
            n += made
        counts.append(n)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refs = [f["callerReference"] for f in dd_listening.fields()]
    assert sorted(refs) == sorted(f"both-{i}" for i in range(30))  # none twice, none lost
    assert sum(counts) == 30 and all(counts)  # both took part
    assert [r.state for r in rows(app)] == ["no_url"] + ["delivered"] * 30  # the funding's came before the URL


def test_a_notification_another_server_has_claimed_is_left_to_it(app, fps, funded, dd_listening, clock):
    """Another server's claim: its lease (both engines) keeps the row from being sent again meanwhile, and on
    PostgreSQL a row still locked by its claiming transaction is skipped, not waited for (SKIP LOCKED)."""
    svc = services_of(app)
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="held", **amount("0.01"))
    held = rows(app)[-1].id
    with svc.storage.write() as conn:  # claimed elsewhere a moment ago
        conn.execute(update(Notification).where(Notification.id == held).values(
            next_attempt_at=clock.now() + ipn.LEASE))
    assert deliver(app) == 0
    clock.advance(ipn.LEASE + timedelta(seconds=1))  # that server died mid-delivery: the lease runs out
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="free", **amount("0.01"))
    if not svc.storage.is_sqlite:
        with svc.storage.write() as conn:  # held by another transaction right now
            conn.execute(select(Notification.id).where(Notification.id == held).with_for_update())
            assert ipn.deliver_due(svc) == 1  # the free one only, without waiting
        assert [f["callerReference"] for f in dd_listening.fields()] == ["free"]
    assert deliver(app) == (1 if not svc.storage.is_sqlite else 2)
    assert sorted(f["callerReference"] for f in dd_listening.fields()) == ["free", "held"]


def test_a_slow_listener_holds_up_one_round_for_a_batch_not_for_everything_due(app, fps, funded, dd_listening, clock,
                                                                                   monkeypatch):
    """The worker's round also flushes the request log and completes due transactions: once its time is up it
    starts no new batch, and what is left is sent the next round."""
    import time

    from sandbox.runtime import http_post

    def slow_post(self, url, body):
        time.sleep(0.2)
        return 200, "OK", 200

    for i in range(6):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"slow-{i}", **amount("0.01"))
    monkeypatch.setattr(http_post.Poster, "post", slow_post)
    assert ipn.deliver_due(services_of(app), limit=2, budget_seconds=0.3) == 2  # one batch took 0.4 s
    assert [r.state for r in rows(app)].count("queued") == 4
    assert ipn.deliver_due(services_of(app), limit=2, budget_seconds=10) == 4  # the next rounds send the rest
