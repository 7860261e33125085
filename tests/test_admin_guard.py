"""The console is open from this machine and needs FPS_ADMIN_PASSWORD from anywhere else."""

import base64

import pytest

from sandbox import create_app


def basic(password):
    return {"Authorization": "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()}


@pytest.mark.parametrize("addr", ["127.0.0.1", "127.0.0.5", "::1"])
def test_loopback_needs_no_password(client, addr):
    assert client.get("/admin/", environ_base={"REMOTE_ADDR": addr}).status_code == 200


def test_remote_without_a_configured_password_is_refused(client):
    r = client.get("/admin/", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert r.status_code == 403 and "FPS_ADMIN_PASSWORD" in r.get_data(as_text=True)
    assert client.post("/admin/faults.json", json={}, environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 403


def test_remote_with_a_password(app, app_config):
    app = create_app({**app_config, "FPS_ADMIN_PASSWORD": "s3cret"})  # on the database `app` made
    client = app.test_client()
    remote = {"REMOTE_ADDR": "192.0.2.10"}
    r = client.get("/admin/", environ_base=remote)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/admin/", environ_base=remote, headers=basic("wrong")).status_code == 401
    assert client.get("/admin/", environ_base=remote, headers=basic("s3cret")).status_code == 200
    with app.app_context():
        from sandbox.extensions import db

        db.engine.dispose()


def test_the_api_and_cobranded_pages_stay_open(client):
    remote = {"REMOTE_ADDR": "192.0.2.10"}
    assert client.get("/?Action=Pay", environ_base=remote).status_code == 400  # an FPS error, not a 403
    assert client.get("/cobranded-ui/actions/start", environ_base=remote).status_code == 403  # unknown caller page
