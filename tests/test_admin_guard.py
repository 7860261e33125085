"""The console is open from this machine and needs FPS_ADMIN_PASSWORD from anywhere else."""

import base64

import pytest

from conftest import csrf
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


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1:8080", "[::1]:5000", "LOCALHOST"])
def test_the_console_answers_at_its_loopback_names(client, host):
    assert client.get("/admin/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "127.0.0.1.nip.io", "localhost.evil.example"])
def test_dns_rebinding_cannot_read_or_move_the_console(client, host):
    """A page on another origin whose name resolves to 127.0.0.1: the request comes from loopback, but
    it names the other host, so the console neither shows its secrets nor acts."""
    r = client.get("/admin/accounts", headers={"Host": host})
    assert r.status_code == 403 and "FPS_ADMIN_HOSTS" in r.get_data(as_text=True)
    assert "wJalrXUtnFEMI" not in r.get_data(as_text=True)
    page = client.get("/admin/").get_data(as_text=True)
    moved = client.post("/admin/clock", headers={"Host": host},
                        data={"csrf_token": csrf(page), "amount": "3", "unit": "days"})
    assert moved.status_code == 403
    assert "3 days" not in client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/faults.json", json={"action": "Pay"}, headers={"Host": host}).status_code == 403
    client.post("/admin/clock", data={"csrf_token": csrf(page), "amount": "3", "unit": "days"})  # the control
    assert "3 days" in client.get("/admin/").get_data(as_text=True)


def test_a_deployment_adds_its_own_name(app, app_config):
    app = create_app({**app_config, "FPS_ADMIN_HOSTS": "sandbox.school.example, [2001:db8::1]"})
    client = app.test_client()
    assert client.get("/admin/", headers={"Host": "sandbox.school.example:8443"}).status_code == 200
    assert client.get("/admin/", headers={"Host": "[2001:db8::1]"}).status_code == 200
    assert client.get("/admin/", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/admin/", headers={"Host": "evil.example"}).status_code == 403
    anywhere = create_app({**app_config, "FPS_ADMIN_HOSTS": "*"})
    assert anywhere.test_client().get("/admin/", headers={"Host": "evil.example"}).status_code == 200
    from conftest import dispose

    dispose(app)
    dispose(anywhere)


def test_the_api_answers_any_well_formed_host(fps, client):
    from conftest import DD_KEY, DD_SECRET, signed_params

    values = signed_params("GetTotalPrepaidLiability", {}, DD_KEY, DD_SECRET, host="fps.sandbox.amazonaws.com")
    assert client.post("/", data=values, headers={"Host": "fps.sandbox.amazonaws.com"}).status_code == 200


def test_each_check_runs_in_its_order_for_pages_and_not_for_the_query_api(client, fps):
    """One before_request does the checks in order (sandbox/__init__.py): a page's POST without its token meets
    the CSRF check, even where no form would look; a stranger's host name meets the host guard before it; a
    view exempt from CSRF (the console's JSON) is let through; a NUL in a page's form is refused; the Query API
    is checked by its signature alone."""
    for path in ("/admin/reset", "/admin/clock", "/cobranded-ui/pipeline/NOPE/cancel", "/admin/no-such-page"):
        r = client.post(path, data={"amount": "3"})
        assert r.status_code == (404 if "no-such" in path else 400), path
        assert ("Form expired" in r.get_data(as_text=True)) == ("no-such" not in path), path
    assert client.post("/admin/clock", headers={"Host": "evil.example"}).status_code == 403
    assert client.post("/admin/faults.json", json={"action": "GetAccountBalance", "mode": "error",
                                                   "error_code": "InternalError"}).status_code == 201
    page = client.get("/admin/").get_data(as_text=True)
    nul = client.post("/admin/clock", data={"csrf_token": csrf(page), "amount": "3\x00", "unit": "days"})
    assert nul.status_code == 400 and "Form expired" not in nul.get_data(as_text=True)
    r = fps.call("GetAccountBalance")
    assert r.status == 500 and r.error_code == "InternalError", r.text  # the armed fault: no CSRF token asked
