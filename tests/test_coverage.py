"""The instructor's overview, each sandbox's error-handling coverage, and the read-only student page; on
SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import re
from datetime import timedelta

from conftest import SignedCaller, csrf
from listener import Listener
from sandbox.domain import coverage
from sandbox.runtime import classroom
from sandbox.runtime.routing import enter
from sandbox.runtime.services import services, tick
from test_classroom import PAY, boxes, fund, make


def _rows(client) -> dict[str, dict]:
    answer = client.get("/admin/api/classroom")
    assert answer.status_code == 200
    return {row["name"]: row for row in answer.get_json()["sandboxes"]}


def test_the_overview_counts_each_students_own_calls(app, client):
    """Requests, errors, last activity, transactions, fees, books and coverage per sandbox; what the console
    sends in a sandbox does not count as the student's."""
    ada, bob = make(app, "Ada", "Bob").values()
    got = fund(ada)  # the Co-Branded start page, then FundPrepaid $10.00 (fee $0.30)
    paid = ada.call("Pay", SenderTokenId=got["prepaidSenderTokenID"], CallerReference="p-1", **PAY)
    assert ada.call("Pay", SenderTokenId="NOSUCHTOKEN", CallerReference="p-2", **PAY).error_code == "InvalidTokenId_Sender"
    assert ada.call("Pay", SenderTokenId=got["prepaidSenderTokenID"], CallerReference="p-3",
                    **{"TransactionAmount.Value": "50.00"}).error_code == "InsufficientBalance"
    forged = SignedCaller(ada.client, ada.key, "x" * 40).call("GetAccountBalance")
    assert forged.error_code == "SignatureDoesNotMatch"
    page = f"/admin/transactions/{paid.find('PayResult/TransactionId')}?sandbox=ada"  # the console refuses a refund
    client.post(page.replace("?", "/refund?"), data={"csrf_token": csrf(client.get(page).get_data(as_text=True)),
                                                     "amount": "9.00", "confirmed": "yes"})
    rows = _rows(client)
    assert set(rows) == {"ada", "bob"}
    a = rows["ada"]
    assert (a["requests"], a["errors"], a["transactions"], a["fees"], a["books_balance"]) == (6, 3, 2, "0.30", True)
    assert a["last_activity"].startswith("20") and rows["bob"]["last_activity"] is None
    assert (rows["bob"]["requests"], rows["bob"]["transactions"], rows["bob"]["coverage"]["met"]) == (0, 0, 0)
    assert a["coverage"]["of"] == len(coverage.CHECKLIST) and a["coverage"]["met"] == 5
    unmet = a["coverage"]["unmet"]
    for met in ("InvalidTokenId_Sender", "InsufficientBalance", "SignatureDoesNotMatch"):
        assert f"FPS error codes: {met}" not in unmet
    assert "FPS error codes: RefundAmountExceeded" in unmet  # the console's refused refund is not the student's
    assert "Transaction statuses: Success" not in unmet and "Co-Branded endings: authorized" not in unmet
    html = client.get("/admin/classroom/overview").get_data(as_text=True)
    assert "Ada" in html and "5 of" in html and "balance" in html and "$0.30" in html


def test_coverage_lists_what_is_unmet_and_notifications_count_once_received(app, client):
    """The coverage page names each unmet outcome with how to meet it; a notification counts when the app
    answered it, a retry when it refused one first, and a page for an unknown sandbox is a 404."""
    ada = make(app, "Ada")["ada"]
    with Listener() as sink:
        sink.fail_with = [500]
        with app.app_context():
            svc = boxes(app).get("ada")
            with svc.storage.write() as conn:
                conn.exec_driver_sql(f"UPDATE account SET ipn_url = '{sink.url}' WHERE access_key IS NOT NULL")
        fund(ada)
        with app.test_request_context("/"):
            enter(boxes(app).get("ada"))
            tick(services())  # the first attempt: refused by the app
            services().clock.move(services().clock.offset + timedelta(hours=1))
            tick(services())  # the retry: received
        assert [r["status"] for r in sink.received][:2] == [500, 200]
    html = client.get("/admin/classroom/ada/coverage").get_data(as_text=True)
    unmet = html.split("Still unmet")[1].split("<h2>Met")[0]
    met = html.split("<h2>Met")[1]
    assert "TransactionStatus: Success" in met and "a retry after a failed attempt" in met
    assert "TokenCancellation" in unmet and "CancelToken" in unmet  # with how to meet it
    assert "RequestExpired" in unmet and "send a Timestamp an hour old" in unmet
    assert client.get("/admin/classroom/nobody/coverage").status_code == 404
    for hostile in ("x'--", "a" * 5000, "%00"):
        assert client.get(f"/admin/classroom/{hostile}/coverage").status_code in (400, 404), hostile
    here = client.get("/admin/coverage").get_data(as_text=True)  # the default sandbox's own checklist
    assert "the default sandbox" in here and f"0 of {len(coverage.CHECKLIST)}" in here


def test_a_student_page_is_read_only_and_shows_one_sandbox(app, client):
    """The address on the roster opens the student's page off this machine with no password: their keys,
    coverage and latest requests, nobody else's; a wrong key, another sandbox's key or a deleted sandbox is
    a 404, and the page has no form."""
    ada, bob = make(app, "Ada", "Bob").values()
    ada.call("GetAccountBalance")
    roster = client.get("/admin/classroom/roster").get_data(as_text=True)
    pages = {name: path for path, name in re.findall(r"(/student/([a-z]+)/[0-9a-f]{32})", roster)}
    assert set(pages) == {"ada", "bob"}
    stranger = {"REMOTE_ADDR": "10.0.0.7"}
    page = client.get(pages["ada"], environ_base=stranger)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and ada.key in html and ada.secret in html and bob.key not in html
    assert "GetAccountBalance" in html and "<form" not in html
    assert client.post(pages["ada"], environ_base=stranger).status_code == 405
    bobs_key = pages["bob"].rsplit("/", 1)[1]
    for wrong in (f"/student/ada/{bobs_key}", "/student/ada/" + "0" * 32, "/student/ada/x", "/student/default/" + bobs_key,
                  "/student/ADA/" + pages["ada"].rsplit("/", 1)[1], "/student/ada/" + "a" * 5000):
        assert client.get(wrong, environ_base=stranger).status_code == 404, wrong
    with app.app_context():
        classroom.delete_sandbox(boxes(app), "ada")
    assert client.get(pages["ada"], environ_base=stranger).status_code == 404
