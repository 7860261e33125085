"""The JSON control API for test suites: reset, snapshots, clock, notifications, state; every bad input a
JSON 4xx, never a 500; the console's access rule applies."""

import pytest

from conftest import services_of

JSON = {"Content-Type": "application/json"}


def post(client, url, body=None, **kw):
    return client.post(url, json=body, **kw) if body is not None else client.post(url, headers=JSON, **kw)


def test_state_counts_rows_and_checks_the_books(app, client, funded):
    r = client.get("/admin/api/state")
    assert r.status_code == 200
    data = r.get_json()
    assert data["counts"]["instruments"] == 1 and data["counts"]["transactions"] == 1
    assert data["counts"]["notifications_by_state"] == {"queued": 1}
    assert data["books"] == {"balanced": True, "problems": [], "full": False, "lines": data["counts"]["ledger_lines"]}
    assert data["clock"]["offset_seconds"] == 0
    full = client.get("/admin/api/state?full=1").get_json()["books"]
    assert full["balanced"] is True and full["full"] is True


def test_reset_throws_everything_away(client, funded):
    assert post(client, "/admin/api/reset").get_json() == {"reset": True, "lesson": "demo", "accounts": 5}
    assert client.get("/admin/api/state").get_json()["counts"]["transactions"] == 0


def test_snapshots_save_list_restore(client, fps, funded):
    saved = post(client, "/admin/api/snapshots", {"name": "funded"})
    assert saved.status_code == 201 and saved.get_json()["name"] == "funded" and saved.get_json()["rows"] > 0
    listed = client.get("/admin/api/snapshots").get_json()["snapshots"]
    assert [(s["name"], s["shipped"]) for s in listed] == [("funded", False), ("lesson-1-prepaid", True)]
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p",
             **{"TransactionAmount.Value": "0.50"})
    assert client.get("/admin/api/state").get_json()["counts"]["transactions"] == 2
    restored = post(client, "/admin/api/snapshots/funded/restore")
    assert restored.status_code == 200 and restored.get_json()["upgraded_from"] is None
    assert client.get("/admin/api/state").get_json()["counts"]["transactions"] == 1


@pytest.mark.parametrize("body, status", [({"name": ""}, 400), ({"name": 7}, 400), ({}, 400), ({"name": "../x"}, 400),
                                          ({"name": "x" * 500}, 400)])
def test_a_bad_snapshot_name_is_a_json_400(client, body, status):
    r = post(client, "/admin/api/snapshots", body)
    assert r.status_code == status and "error" in r.get_json()


def test_restoring_an_unknown_snapshot_is_404(client):
    r = post(client, "/admin/api/snapshots/nope/restore")
    assert r.status_code == 404 and "no snapshot named 'nope'" in r.get_json()["error"]


def test_the_clock_reads_moves_and_returns(app, client):
    from sandbox.domain.clock import Clock  # the movable clock of a real server, kept in memory here

    class Movable(Clock):
        def move(self, offset):
            self.offset = offset

    services_of(app).clock = Movable()
    assert post(client, "/admin/api/clock", {"forward_seconds": 3600}).get_json()["offset_seconds"] == 3600
    assert post(client, "/admin/api/clock", {"forward_seconds": 60}).get_json()["offset_seconds"] == 3660
    assert post(client, "/admin/api/clock", {"offset_seconds": 86400}).get_json()["offset_seconds"] == 86400
    assert client.get("/admin/api/clock").get_json()["offset_seconds"] == 86400
    back = client.delete("/admin/api/clock", headers=JSON)
    assert back.status_code == 200 and back.get_json()["offset_seconds"] == 0


@pytest.mark.parametrize("body", [{"forward_seconds": -5}, {"forward_seconds": "60"}, {"forward_seconds": 1.5},
                                  {"forward_seconds": True}, {"offset_seconds": -1}, {"forward_seconds": 10**12},
                                  {}, {"forward_seconds": 1, "offset_seconds": 1}, {"minutes": 5}])
def test_a_bad_clock_move_is_a_json_400(app, client, body):
    from sandbox.domain.clock import Clock

    class Movable(Clock):
        def move(self, offset):
            self.offset = offset

    services_of(app).clock = Movable()
    r = post(client, "/admin/api/clock", body)
    assert r.status_code == 400 and r.get_json()["error"]
    assert client.get("/admin/api/clock").get_json()["offset_seconds"] == 0


def test_a_fixed_clock_cannot_be_moved(app, client):
    from sandbox.domain.clock import FixedClock, utcnow

    services_of(app).clock = FixedClock(utcnow())  # as FPS_CLOCK pins it
    r = post(client, "/admin/api/clock", {"forward_seconds": 60})
    assert r.status_code == 409 and "fixed" in r.get_json()["error"]


def test_notifications_list_and_resend(app, client, funded):
    listed = client.get("/admin/api/notifications").get_json()["notifications"]
    assert [(n["type"], n["state"], n["status"]) for n in listed] == [("TransactionStatus", "queued", "Success")]
    assert listed[0]["transaction_id"] and listed[0]["url"] == "/merchant/ipn/DigitalDownload"
    assert client.get("/admin/api/notifications?state=delivered").get_json() == {"notifications": []}
    r = post(client, f"/admin/api/notifications/{listed[0]['id']}/resend")
    assert r.status_code == 200 and r.get_json()["id"] == listed[0]["id"] and r.get_json()["sent"] is True


@pytest.mark.parametrize("query", ["state=lost", "limit=0", "limit=501", "limit=abc", "limit=-1"])
def test_bad_notification_filters_are_json_400(client, query):
    r = client.get(f"/admin/api/notifications?{query}")
    assert r.status_code == 400 and "error" in r.get_json()


@pytest.mark.parametrize("pk", ["999", "99999999999999999999999", "abc"])
def test_resending_an_unknown_notification_is_404(client, pk):
    r = post(client, f"/admin/api/notifications/{pk}/resend")
    assert r.status_code == 404 and "error" in r.get_json()


@pytest.mark.parametrize("url", ["/admin/api/reset", "/admin/api/snapshots", "/admin/api/clock",
                                 "/admin/api/snapshots/x/restore", "/admin/api/notifications/1/resend"])
def test_changes_need_json(client, url):
    form = client.post(url, data={"name": "x"})
    assert form.status_code == 415 and form.get_json()["error"] == "send Content-Type: application/json"
    broken = client.post(url, data="{not json", headers=JSON)
    assert broken.status_code == 400 and broken.get_json()["error"] == "the body must be a JSON object"
    listed = client.post(url, data="[1, 2]", headers=JSON)
    assert listed.status_code == 400 and listed.get_json()["error"] == "the body must be a JSON object"


def test_unknown_paths_and_methods_answer_json(client):
    assert client.get("/admin/api/nothing").status_code == 404
    assert "error" in client.get("/admin/api/nothing").get_json()
    assert client.put("/admin/api/state").status_code == 405
    assert "error" in client.put("/admin/api/state").get_json()


def test_off_loopback_the_control_api_needs_the_password(app, client):
    app.config["FPS_ADMIN_PASSWORD"] = "s3cret"
    far = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/admin/api/state", environ_base=far).status_code == 401
    assert post(client, "/admin/api/reset", environ_base=far).status_code == 401
    import base64
    auth = {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret").decode()}
    assert client.get("/admin/api/state", environ_base=far, headers=auth).status_code == 200
