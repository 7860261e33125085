"""The sandbox clock: moved forward from the console, shared by every process through the
database; pending transactions, validity and notification retries follow it."""

from datetime import timedelta

import pytest

from conftest import csrf, prepaid_params, services_of
from sandbox.domain.clock import utcnow


@pytest.fixture
def app_config(app_config):
    return {**app_config, "FPS_PENDING_SECONDS": 3600}  # an hour: only a moved clock gets there in a test


def move(client, amount, unit):
    page = client.get("/admin/").get_data(as_text=True)
    return client.post("/admin/clock", data={"csrf_token": csrf(page), "amount": str(amount), "unit": unit,
                                             "submit": "move"})


def test_moving_the_clock_completes_pending_transactions(app, client, fps, buyer):
    ret = buyer.authorize(prepaid_params(), method_label="Visa")
    tid = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                   CallerReference="f", **{"FundingAmount.Value": "10.00"}).find("FundPrepaidResult/TransactionId")
    assert move(client, 59, "minutes").status_code == 302
    assert fps.call("GetTransactionStatus", TransactionId=tid).find("GetTransactionStatusResult/TransactionStatus") \
        == "Pending"
    move(client, 1, "minutes")
    assert fps.call("GetTransactionStatus", TransactionId=tid).find("GetTransactionStatusResult/TransactionStatus") \
        == "Success"
    page = client.get("/admin/").get_data(as_text=True)
    assert "1:00:00 ahead of" in page and "Back to real time" in page


def test_the_offset_is_shared_through_the_database(app, app_config, client):
    from sandbox import create_app

    move(client, 2, "days")
    other = create_app(app_config)  # another process would build its clock the same way
    with other.app_context():
        from sandbox.extensions import db
        from sandbox.runtime.services import services

        ahead = services().clock.now() - utcnow()
        db.engine.dispose()
    assert timedelta(days=2) - timedelta(seconds=5) < ahead <= timedelta(days=2, seconds=5)


def test_back_to_real_time_and_bad_input(app, client):
    move(client, 3, "hours")
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/clock", data={"csrf_token": csrf(page), "reset": "1"})
    assert services_of(app).clock.offset == timedelta(0)
    r = move(client, -5, "days")
    assert r.status_code == 302 and services_of(app).clock.offset == timedelta(0)
    assert "Not moved" in client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/clock", data={"amount": "1", "unit": "days"}).status_code == 400
    assert services_of(app).clock.offset == timedelta(0)  # no CSRF token: refused


def test_the_console_shows_another_processs_move_at_once(app, app_config, client):
    """The API re-reads the shared offset at most once a second; the console re-reads it on every page."""
    from sandbox import create_app

    other = create_app(app_config)
    other_client = other.test_client()
    assert "(real time)" in other_client.get("/admin/").get_data(as_text=True)  # its clock has read the offset
    move(client, 3, "hours")
    page = " ".join(other_client.get("/admin/").get_data(as_text=True).split())
    assert "3:00:00 ahead of real time" in page
    with other.app_context():
        from sandbox.extensions import db

        db.engine.dispose()
