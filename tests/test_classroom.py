"""Sandboxes of their own (a class's): made from a roster, each isolated from every other, reset to its
lesson with the same keys, deleted; on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from conftest import ROOT, DD_KEY, Buyer, SignedCaller, csrf, dispose, prepaid_params, services_of
from sandbox import create_app
from sandbox.runtime import classroom, ipn, snapshots
from sandbox.runtime.world import load_fixture, reset

PAY = {"TransactionAmount.Value": "0.50"}


def boxes(app):
    return app.extensions["fps_sandboxes"]


def make(app, *names: str, lesson: str = "demo", seed: str | None = None) -> dict[str, SignedCaller]:
    """Sandboxes by name, answered as their DigitalDownload caller, signed."""
    with app.app_context():
        classroom.create(boxes(app), classroom.parse_roster("\n".join(names)), lesson,
                         classroom_fixture(), 100, seed)
        out = {}
        for name in [classroom.slug(n) for n in names]:
            first = classroom.callers(boxes(app).get(name))[0]
            out[name] = SignedCaller(app.test_client(), first.access_key, first.secret_key)
    return out


def fresh_app(app_config, tmp_path, run: str, **config):
    """Another installation (its own SQLite file; on PostgreSQL the same database), reset to the demo world,
    with no sandbox besides the default one."""
    config = {**app_config, **config}
    if "sqlite" in config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / run}.sqlite"
    app = create_app(config)
    with app.app_context():
        with boxes(app).default.storage.write() as conn:
            reset(conn, classroom_fixture(), datetime(2026, 1, 1))
        classroom.delete_all(boxes(app))
    return app


def classroom_fixture() -> dict:
    return load_fixture(ROOT / "fixtures" / "demo.json")


def fund(caller: SignedCaller, n: str = "1") -> dict:
    """John's $10 prepaid instrument at the caller, funded: the return parameters."""
    ret = Buyer(caller.client).authorize(prepaid_params(n), key=caller.key, secret=caller.secret)
    r = caller.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                    CallerReference=f"fund-{n}", **{"FundingAmount.Value": "10.00"})
    assert r.find("FundPrepaidResult/TransactionStatus") == "Success", r.text
    return ret


def test_each_sandbox_is_a_world_of_its_own(app, fps):
    """A token, instrument, transaction, caller reference, fault and clock of one sandbox mean nothing in
    another, nor in the default sandbox, and the other way round."""
    ada, bob = make(app, "Ada", "Bob").values()
    assert ada.key != bob.key and DD_KEY not in (ada.key, bob.key)
    mine = fund(ada)
    paid = ada.call("Pay", SenderTokenId=mine["prepaidSenderTokenID"], CallerReference="p-1", **PAY)
    txn = paid.find("PayResult/TransactionId")
    assert paid.find("PayResult/TransactionStatus") == "Success", paid.text
    for other in (bob, fps):
        assert other.call("Pay", SenderTokenId=mine["prepaidSenderTokenID"], CallerReference="steal",
                          **PAY).error_code == "InvalidTokenId_Sender"
        assert other.call("GetTokenUsage", TokenId=mine["prepaidSenderTokenID"]).error_code == "InvalidTokenId"
        assert other.call("GetTokenByCaller", TokenId=mine["prepaidSenderTokenID"]).error_code == "InvalidTokenId"
        assert other.call("GetPrepaidBalance", PrepaidInstrumentId=mine["prepaidInstrumentID"]).error_code == "InvalidParams"
        assert other.call("GetTransaction", TransactionId=txn).error_code == "InvalidTransactionId"
        assert other.call("Refund", TransactionId=txn, CallerReference="r-1").error_code == "InvalidTransactionId"
        assert other.call("CancelToken", TokenId=mine["fundingTokenID"]).error_code == "InvalidTokenId"
    # the same caller references, the same buyer login: another sandbox's are its own
    theirs = fund(bob)
    again = bob.call("Pay", SenderTokenId=theirs["prepaidSenderTokenID"], CallerReference="p-1", **PAY)
    assert again.find("PayResult/TransactionStatus") == "Success" and again.find("PayResult/TransactionId") != txn
    balance = "GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value"
    assert ada.call("GetPrepaidBalance", PrepaidInstrumentId=mine["prepaidInstrumentID"]).find(balance) == "9.500000"
    # a fault armed in one sandbox, and its clock moved, leave the others alone
    client = app.test_client()
    assert client.post("/admin/faults.json?sandbox=ada", json={"action": "Pay", "error_code": "InternalError"}
                       ).status_code == 201
    assert ada.call("Pay", SenderTokenId=mine["prepaidSenderTokenID"], CallerReference="p-2",
                    **PAY).error_code == "InternalError"
    assert bob.call("Pay", SenderTokenId=theirs["prepaidSenderTokenID"], CallerReference="p-2",
                    **PAY).find("PayResult/TransactionStatus") == "Success"
    with app.app_context():
        boxes(app).get("ada").clock.move(timedelta(days=3))
        assert boxes(app).get("bob").clock.offset == timedelta(0) == services_of(app).clock.offset
    # the console of one sandbox does not show, or find, another's rows
    page = client.get(f"/admin/transactions/{txn}?sandbox=ada")
    assert page.status_code == 200 and "sandbox=ada" in page.get_data(as_text=True)
    assert client.get(f"/admin/transactions/{txn}?sandbox=bob").status_code == 404
    assert client.get(f"/admin/transactions/{txn}").status_code == 404
    assert txn not in client.get("/admin/transactions?sandbox=bob").get_data(as_text=True)
    assert mine["prepaidSenderTokenID"] not in client.get("/admin/tokens").get_data(as_text=True)
    logged = client.get("/admin/requests?sandbox=ada").get_data(as_text=True)
    assert f"<code>{ada.key}</code>" in logged and f"<code>{bob.key}</code>" not in logged
    shared = client.get("/admin/requests").get_data(as_text=True)
    assert f"<code>{DD_KEY}</code>" in shared and f"<code>{ada.key}</code>" not in shared


def test_snapshots_and_notifications_stay_in_their_sandbox(app):
    ada, bob = make(app, "Ada", "Bob").values()
    mine = fund(ada)
    with app.app_context():
        snapshots.save(boxes(app).get("ada").storage, "ada-start")
        assert [n for n, _ in snapshots.listing(boxes(app).get("ada").storage)] == ["ada-start"]
        assert snapshots.listing(boxes(app).get("bob").storage) == []
        assert snapshots.listing(services_of(app).storage) == []
        with pytest.raises(ValueError, match="no snapshot named"):
            snapshots.restore(boxes(app).get("bob").storage, "ada-start")
    client = app.test_client()
    page = client.get("/admin/?sandbox=bob").get_data(as_text=True)
    refused = client.post("/admin/snapshots?sandbox=bob", data={"csrf_token": csrf(page), "name": "ada-start",
                                                               "restore": "1", "confirmed": "yes"})
    assert refused.status_code == 302 and "no snapshot named" in client.get("/admin/?sandbox=bob").get_data(as_text=True)
    # the demo caller's notifications go to its own sandbox's merchant inbox
    ada.call("Pay", SenderTokenId=mine["prepaidSenderTokenID"], CallerReference="p-1", **PAY)
    with app.app_context():
        svc = boxes(app).get("ada")
        svc.seen_base_url = "http://localhost"
    ada_inbox = client.get("/admin/notifications?sandbox=ada").get_data(as_text=True)
    assert "TransactionStatus" in ada_inbox
    with app.app_context():
        with svc.storage.read() as conn:
            urls = set(conn.exec_driver_sql("SELECT url FROM notification").scalars())
    assert urls == {"/merchant/ipn/DigitalDownload?sandbox=ada"}
    assert "TransactionStatus" not in client.get("/admin/notifications?sandbox=bob").get_data(as_text=True)
    assert "TransactionStatus" not in client.get("/admin/notifications").get_data(as_text=True)


def test_a_roster_from_the_console_typed_and_as_csv(app):
    client = app.test_client()
    page = client.get("/admin/classroom").get_data(as_text=True)
    csv_file = (io.BytesIO("name,email\nGrace Hopper,g@example.com\nAlan Turing,a@example.com\n".encode()), "c.csv")
    made = client.post("/admin/classroom", data={"csrf_token": csrf(page), "names": "Ada Lovelace\n\n",
                                                 "csv": csv_file, "lesson": "lesson-1-prepaid"},
                       content_type="multipart/form-data")
    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    listing = client.get("/admin/classroom").get_data(as_text=True)
    for name in ("ada-lovelace", "grace-hopper", "alan-turing"):
        assert f"?sandbox={name}" in listing
    roster = client.get("/admin/classroom/roster").get_data(as_text=True)
    with app.app_context():
        keys = [c for n in ("ada-lovelace", "grace-hopper", "alan-turing") for c in classroom.callers(boxes(app).get(n))]
        inside = boxes(app).get("grace-hopper")
        with inside.storage.read() as conn:
            pays = conn.exec_driver_sql("SELECT count(*) FROM fps_transaction WHERE operation = 'Pay'").scalar()
    assert pays == 5  # loaded from the shipped lesson
    assert all(c.access_key in roster and c.secret_key in roster for c in keys)
    assert "john@example.com" in roster and "sandbox" in roster  # buyer logins and their password
    assert client.get("/admin/classroom/roster?only=nobody").status_code == 404
    switcher = client.get("/admin/?sandbox=grace-hopper").get_data(as_text=True)
    assert 'value="grace-hopper" selected' in switcher and "You are in the sandbox" in switcher


@pytest.mark.parametrize("names, expected", [
    ("Ada\nada", "makes the same sandbox name"),
    ("default", "is the name of the sandbox everyone shares"),
    ("!!!\n<script>", "has no letter or digit"),
    ("x" * 81, "at most 80 characters"),
    ("\n \n", "the roster has no names"),
])
def test_a_bad_roster_creates_nothing_and_says_why(app, names, expected):
    client = app.test_client()
    page = client.get("/admin/classroom").get_data(as_text=True)
    r = client.post("/admin/classroom", data={"csrf_token": csrf(page), "names": names, "lesson": "demo"})
    assert r.status_code == 400 and expected in r.get_data(as_text=True).replace("&#39;", "'")
    with app.app_context():
        assert boxes(app).registered() == []


def test_a_roster_of_a_thousand_and_a_taken_name(app):
    make(app, "Ada")
    client = app.test_client()
    page = client.get("/admin/classroom").get_data(as_text=True)
    many = "\n".join(f"Student {n}" for n in range(1000))
    r = client.post("/admin/classroom", data={"csrf_token": csrf(page), "names": many, "lesson": "demo"})
    assert r.status_code == 400 and "this sandbox allows 100 (FPS_MAX_SANDBOXES)" in r.get_data(as_text=True)
    r = client.post("/admin/classroom", data={"csrf_token": csrf(page), "names": "Bob\nAda", "lesson": "demo"})
    assert r.status_code == 400 and "already a sandbox named ada" in r.get_data(as_text=True)
    r = client.post("/admin/classroom", data={"csrf_token": csrf(page), "names": "Bob", "lesson": "no-such"})
    assert r.status_code == 400  # not a lesson on offer
    with app.app_context():
        assert [row.name for row in boxes(app).registered()] == ["ada"]
        with pytest.raises(classroom.RosterError, match="no snapshot named"):
            classroom.create(boxes(app), classroom.parse_roster("Bob"), "no-such", classroom_fixture(), 100)
        assert [row.name for row in boxes(app).registered()] == ["ada"]


def test_reset_keeps_the_keys_and_delete_ends_them(app):
    ada = make(app, "Ada")["ada"]
    mine = fund(ada)
    client = app.test_client()
    page = client.get("/admin/classroom").get_data(as_text=True)
    asked = client.post("/admin/classroom/ada/reset", data={"csrf_token": csrf(page)})
    assert "are you sure?" in asked.get_data(as_text=True)
    done = client.post("/admin/classroom/ada/reset", data={"csrf_token": csrf(page), "confirmed": "yes"})
    assert done.status_code == 302
    assert ada.call("GetTokenUsage", TokenId=mine["prepaidSenderTokenID"]).error_code == "InvalidTokenId"
    assert ada.call("GetAccountBalance").status == 200  # the same key and secret still work
    fund(ada)
    refused = client.post("/admin/classroom/default/delete", data={"csrf_token": csrf(page), "confirmed": "yes"})
    assert refused.status_code == 302 and "cannot be deleted" in client.get("/admin/classroom").get_data(as_text=True)
    gone = client.post("/admin/classroom/ada/delete", data={"csrf_token": csrf(page), "confirmed": "yes"})
    assert gone.status_code == 302
    assert ada.call("GetAccountBalance").error_code == "InvalidClientTokenId"
    assert client.get("/admin/?sandbox=ada").status_code == 404
    for hostile in ("../etc", "x" * 5000, "ADA", "default'--"):
        assert client.get("/admin/", query_string={"sandbox": hostile}).status_code == 404
    stranger = client.get("/admin/?sandbox=ada", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert stranger.status_code == 403  # the console's guard first: a stranger learns no sandbox's name
    assert "No such sandbox" in client.get("/admin/transactions?sandbox=ada").get_data(as_text=True)
    assert client.post("/admin/classroom/ada/delete", data={"csrf_token": csrf(page), "confirmed": "yes"}
                       ).status_code == 404
    link = Buyer(client).start(f"/cobranded-ui/actions/start?callerKey={ada.key}&pipelineName=SetupPrepaid")
    assert link.status_code == 403 and "Unknown caller" in link.get_data(as_text=True)


def test_a_seed_gives_the_same_keys_and_ids_on_every_run(app_config, tmp_path):
    """Two installations, the same seed: the same keys, the same token and transaction ids."""
    seen = []
    for run in ("one", "two"):
        other = fresh_app(app_config, tmp_path, run, FPS_SEED="class-7")
        ada = make(other, "Ada", seed="lesson-seed")["ada"]
        got = fund(ada)
        paid = ada.call("Pay", SenderTokenId=got["prepaidSenderTokenID"], CallerReference="p-1", **PAY)
        seen.append((ada.key, ada.secret, got["prepaidSenderTokenID"], paid.find("PayResult/TransactionId")))
        with other.app_context():
            classroom.delete_all(boxes(other))
        dispose(other)
    assert seen[0] == seen[1] and None not in seen[0]


def test_the_classroom_from_the_command_line(app, tmp_path):
    runner = app.test_cli_runner()
    table = tmp_path / "class.csv"
    table.write_text("name\n\"Lovelace, Ada\"\nAlan Turing\n")
    out = runner.invoke(args=["sandboxes", "create", "Grace Hopper", "--file", str(table)])
    assert out.exit_code == 0 and "Created 3 sandbox(es): grace-hopper, lovelace-ada, alan-turing" in out.output
    listed = runner.invoke(args=["sandboxes", "list"]).output
    assert [line.split("\t")[0] for line in listed.splitlines()] == ["alan-turing", "grace-hopper", "lovelace-ada"]
    roster = runner.invoke(args=["sandboxes", "roster", "lovelace-ada"]).output.splitlines()
    assert roster[0] == "sandbox,student,caller,access_key,secret_key" and len(roster) == 3
    assert roster[1].startswith('lovelace-ada,"Lovelace, Ada",DigitalDownload,AKSB')
    again = runner.invoke(args=["sandboxes", "create", "Alan Turing"])
    assert again.exit_code == 1 and "already a sandbox named alan-turing" in again.output
    assert "Reset alan-turing to demo." in runner.invoke(args=["sandboxes", "reset", "alan-turing"]).output
    assert runner.invoke(args=["sandboxes", "reset", "nobody"]).exit_code == 1
    refused = runner.invoke(args=["sandboxes", "delete", "default"])
    assert refused.exit_code == 1 and "cannot be deleted" in refused.output
    assert runner.invoke(args=["sandboxes", "delete"]).exit_code == 2
    assert runner.invoke(args=["sandboxes", "delete", "--all"]).output.count("Deleted") == 3
    assert runner.invoke(args=["sandboxes", "list"]).output == ""


def test_the_worker_round_reaches_every_sandbox(app):
    """Pending fundings complete and notifications are attempted in a sandbox by `flask tick` as in the default."""
    ada = make(app, "Ada")["ada"]
    fund(ada)
    with app.app_context():
        svc = boxes(app).get("ada")
        svc.seen_base_url = "http://127.0.0.1:9"  # nothing listens: each attempt fails, and is recorded
        with svc.storage.read() as conn:
            queued = conn.exec_driver_sql("SELECT count(*) FROM notification WHERE state = 'queued'").scalar()
    assert queued >= 1
    with services_of(app).storage.read() as conn:  # the default sandbox has nothing to send
        assert conn.exec_driver_sql("SELECT count(*) FROM notification").scalar() == 0
    said = app.test_cli_runner().invoke(args=["tick"]).output
    with app.app_context():
        with boxes(app).get("ada").storage.read() as conn:
            tried = conn.exec_driver_sql("SELECT count(*) FROM delivery_attempt").scalar()
    assert tried >= 1 and f"made {tried} notification delivery attempt(s)" in said, said


def test_the_default_sandbox_costs_no_search_path_round_trip(app, fps):
    """On PostgreSQL a pooled connection is pointed at a sandbox's schema only when it last served another:
    once the pooled connections a sandbox used have come back, calls in the default sandbox send no SET at
    all. On SQLite there is nothing to set."""
    ada = make(app, "Ada")["ada"]
    sent = []
    event.listen(services_of(app).storage.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: sent.append(statement) if "search_path" in statement else None)
    for _ in range(2):
        for _ in range(10):  # back from the sandbox, each pooled connection once at most
            assert fps.call("GetAccountBalance").status == 200
        sent.clear()
        for _ in range(10):
            assert fps.call("GetAccountBalance").status == 200
            with services_of(app).storage.read() as conn:  # a unit of work of its own, as the worker's
                conn.exec_driver_sql("SELECT 1")
        assert sent == []
        assert ada.call("GetAccountBalance").status == 200


def test_a_sandbox_deleted_on_one_server_is_gone_at_once_on_another(app, app_config):
    """Two servers on one database: one deletes a sandbox the other has just served; the other refuses its
    key and its console at once (no stale sandbox, no error from its dropped schema or file)."""
    other = create_app(app_config)
    try:
        ada = make(app, "Ada")["ada"]
        there = SignedCaller(other.test_client(), ada.key, ada.secret)
        assert there.call("GetAccountBalance").status == 200
        assert other.test_client().get("/admin/?sandbox=ada").status_code == 200
        with app.app_context():
            assert classroom.delete_sandbox(boxes(app), "ada")
        assert there.call("GetAccountBalance").error_code == "InvalidClientTokenId"
        assert other.test_client().get("/admin/?sandbox=ada").status_code == 404
        again = make(app, "Ada")["ada"]  # made again under the same name: new data, the other server follows
        assert (again.key, again.secret) != (ada.key, ada.secret)
        assert SignedCaller(other.test_client(), again.key, again.secret).call("GetAccountBalance").status == 200
    finally:
        dispose(other)


def test_a_sandbox_notifies_where_the_server_is_reached_before_any_request_in_it(app):
    """The worker builds a sandbox's services before this process has served a request in it: its
    notifications still go to where the server is reached, not to a made-up address."""
    make(app, "Ada")
    with app.app_context():
        assert boxes(app).get("ada").seen_base_url is None
        boxes(app).default.seen_base_url = "http://class.example:8000"
        ada = boxes(app).everyone()[1]
        assert ada.name == "ada" and ipn.base_url(ada) == "http://class.example:8000"
        boxes(app).default.seen_base_url = None
        boxes(app).forget("ada")
        bound = replace(boxes(app).get("ada"), seen_base_url=None, bound_url="http://127.0.0.1:8123")
        assert ipn.base_url(bound) == "http://127.0.0.1:8123"
