"""The request log: every API call and Co-Branded start, with the signature verdict, the string to
sign, the doctor's diagnosis and the response; buffered in servers, escaped on the page."""

import re
from datetime import datetime

from sqlalchemy import func, select

from conftest import DD_KEY, DD_SECRET, cbui_link, in_forked_child, prepaid_params, services_of, signed_params, timestamp
from sandbox.models import ApiCall
from sandbox.runtime import worker
from sandbox.runtime.request_log import Entry, RequestLog
from sandbox.signature import canonical_query, hmac_sign


def logged(app):
    with services_of(app).storage.read() as conn:
        return conn.execute(select(ApiCall.__table__).order_by(ApiCall.id)).all()


def first_id(html):
    return re.search(r'href="/admin/requests/(\d+)"', html).group(1)


def test_a_good_call_is_logged_with_its_string_to_sign_and_response(app, client, fps, funded):
    r = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p",
                 **{"TransactionAmount.Value": "0.50"})
    call = logged(app)[-1]
    assert (call.action, call.verdict, call.http_status, call.face) == ("Pay", "ok", 200, "api")
    assert call.transaction_id == r.find("PayResult/TransactionId") and "<PayResponse" in call.response
    page = client.get(f"/admin/requests/{call.id}").get_data(as_text=True)
    assert "POST\nlocalhost\n/\nAWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&amp;Action=Pay" in page
    assert f'/admin/transactions/{call.transaction_id}"' in page
    assert "Pay" in client.get("/admin/requests").get_data(as_text=True)


def test_a_bad_signature_is_logged_with_the_likely_cause(app, client, fps):
    values = {"Action": "GetTotalPrepaidLiability", "AWSAccessKeyId": DD_KEY, "Version": "2008-09-17",
              "Timestamp": timestamp(), "SignatureVersion": "2", "SignatureMethod": "HmacSHA256"}
    values["Signature"] = hmac_sign(DD_SECRET, "POST\nlocalhost\n\n" + canonical_query(values))  # empty path
    assert fps.raw(values).error_code == "SignatureDoesNotMatch"
    call = logged(app)[-1]
    assert (call.verdict, call.error_code, call.http_status) == ("mismatch", "SignatureDoesNotMatch", 403)
    assert "the path was signed as '' (empty) instead of '/'" in call.diagnosis
    assert call.string_to_sign.startswith("POST\nlocalhost\n/\n")
    page = client.get(f"/admin/requests/{call.id}").get_data(as_text=True)
    assert "Likely cause" in page and "signed as &#39;&#39; (empty)" in page


def test_errors_reads_and_unknown_keys_are_logged_and_filterable(app, client, fps):
    fps.call("GetTotalPrepaidLiability")
    fps.raw(signed_params("GetTotalPrepaidLiability", {}, "AKIANOBODY0000000000", DD_SECRET))
    calls = logged(app)
    assert [(c.action, c.error_code) for c in calls[-2:]] == [("GetTotalPrepaidLiability", None),
                                                            ("GetTotalPrepaidLiability", "InvalidClientTokenId")]
    errors_page = client.get("/admin/requests?errors=1").get_data(as_text=True)
    assert "InvalidClientTokenId" in errors_page and errors_page.count('href="/admin/requests/') == 1


def test_cobranded_starts_are_logged(app, client):
    client.get(cbui_link(prepaid_params()))
    client.get(cbui_link(prepaid_params()).replace("fundingAmount=10.00", "fundingAmount=11.00"))
    good, bad = logged(app)[-2:]
    assert (good.face, good.action, good.verdict, good.http_status) == ("cbui", "SetupPrepaid", "ok", 302)
    assert "/sign-in" in good.response
    assert (bad.verdict, bad.http_status) == ("mismatch", 403) and "no common mistake" in bad.diagnosis
    page = client.get(f"/admin/requests/{good.id}").get_data(as_text=True)
    assert "GET\nlocalhost\n/cobranded-ui/actions/start\ncallerKey=" in page


def test_hostile_values_are_escaped(app, client, fps):
    fps.call("GetTotalPrepaidLiability", **{"<script>alert(1)</script>": "<img src=x onerror=alert(2)>"})
    call = logged(app)[-1]
    page = client.get(f"/admin/requests/{call.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "&lt;script&gt;" in page


def test_buffered_log_writes_on_flush(app):
    svc = services_of(app)
    log = RequestLog(svc.storage, buffered=True)
    before = len(logged(app))
    entry = Entry("r-1", "api", "POST", "localhost", "/", {"Action": "Pay"}, 0.0, action="Pay")
    log.record(entry, at=datetime(2026, 1, 1), http_status=200, response="<x/>")
    assert len(logged(app)) == before
    assert log.flush() == 1 and len(logged(app)) == before + 1
    assert log.flush() == 0


def test_request_log_page_paginates(app, client, fps):
    for _ in range(55):
        fps.call("GetTotalPrepaidLiability")
    first = client.get("/admin/requests").get_data(as_text=True)
    assert first.count('href="/admin/requests/') == 50 and "Older" in first
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(func.count()).select_from(ApiCall)).scalar_one() >= 55


def test_a_change_is_logged_in_its_own_transaction_unless_told_otherwise(app_config, tmp_path):
    """FPS_DURABLE_REQUEST_LOG (default on): a Pay's entry is written with the Pay; off, it waits in the
    buffer for the worker's next flush, as reads and refusals always do."""
    from sqlalchemy import func, select

    from conftest import DD_KEY, DD_SECRET, ROOT, Buyer, SignedCaller, dispose, prepaid_params, services_of
    from sandbox import create_app
    from sandbox.models import ApiCall
    from sandbox.runtime.world import load_fixture, reset
    from datetime import datetime

    for durable, expected in ((True, 1), (False, 0)):
        app = create_app({**app_config, "FPS_DURABLE_REQUEST_LOG": durable})
        svc = services_of(app)
        with svc.storage.write() as conn:
            reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), datetime(2026, 1, 1))
        client = app.test_client()
        ret = Buyer(client).authorize(prepaid_params())
        fps = SignedCaller(client, DD_KEY, DD_SECRET)
        fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                 CallerReference="f", **{"FundingAmount.Value": "10.00"})
        svc.request_log.buffered = True  # as in a server process with its worker
        paid = fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference="p",
                        **{"TransactionAmount.Value": "0.50"})
        refused = fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference="q",
                           **{"TransactionAmount.Value": "50.00"})
        assert refused.error_code == "InsufficientBalance"
        tid = paid.find("PayResult/TransactionId")
        with svc.storage.read() as conn:
            logged = conn.execute(select(func.count()).select_from(ApiCall).where(ApiCall.transaction_id == tid)).scalar()
            waiting = conn.execute(select(func.count()).select_from(ApiCall).where(ApiCall.error_code.is_not(None))).scalar()
        assert (logged, waiting) == (expected, 0)  # the refusal is buffered either way
        assert svc.request_log.flush() == 2 - expected
        with svc.storage.read() as conn:
            assert conn.execute(select(func.count()).select_from(ApiCall).where(ApiCall.transaction_id == tid)).scalar() == 1
        dispose(app)


def test_a_forked_process_starts_its_own_log_writer(monkeypatch):
    """The background threads (the log's writer among them) do not come along into a fork: the child's first
    request starts its own, as each gunicorn worker does, where the parent's flag alone would say they run."""
    monkeypatch.setattr(worker, "_started", True)  # as in a parent whose threads run (none started here)
    assert in_forked_child(lambda: str(worker._started)) == "False"
    assert worker._started is True
