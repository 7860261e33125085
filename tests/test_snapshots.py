"""Snapshots: save the whole state, change it, restore it: exactly the same rows come back."""

import json
from datetime import datetime

import pytest
from sqlalchemy import insert

from conftest import csrf, services_of
from sandbox.runtime import snapshots
from sandbox.models import Base, Snapshot


def dump(app):
    with services_of(app).storage.read() as conn:
        return {t.name: [tuple(r) for r in conn.execute(t.select().order_by(*t.primary_key.columns))]
                for t in Base.metadata.sorted_tables if not t.info.get("kept")}


def test_restore_returns_the_exact_state(app, client, fps, funded):
    fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="p1",
             **{"TransactionAmount.Value": "0.50"})
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/snapshots", data={"csrf_token": csrf(page), "name": "lesson-1", "save": "1"})
    saved = dump(app)
    for n in range(3):
        fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference=f"later-{n}",
                 **{"TransactionAmount.Value": "1.00"})
    fps.call("CancelToken", TokenId=funded["fundingTokenID"])
    assert dump(app) != saved
    page = client.get("/admin/").get_data(as_text=True)
    assert "lesson-1" in page
    asked = client.post("/admin/snapshots", data={"csrf_token": csrf(page), "name": "lesson-1", "restore": "1"})
    assert "Restore: are you sure?" in asked.get_data(as_text=True) and dump(app) != saved  # asks first
    r = client.post("/admin/snapshots", data={"csrf_token": csrf(page), "name": "lesson-1", "restore": "1",
                                              "confirmed": "yes"})
    assert r.status_code == 302
    restored = dump(app)
    restored.pop("api_call"), saved.pop("api_call")  # the request log goes on recording the calls in between
    assert restored == saved
    again = fps.call("Pay", SenderTokenId=funded["prepaidSenderTokenID"], CallerReference="after-restore",
                     **{"TransactionAmount.Value": "0.50"})
    assert again.find("PayResult/TransactionStatus") == "Success"  # ids and sequences carry on
    assert fps.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"]).find(
        "GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "9.000000"


def test_snapshots_survive_a_reset_and_work_from_the_cli(app):
    runner = app.test_cli_runner()
    assert "Saved snapshot 'start'" in runner.invoke(args=["snapshot", "save", "start"]).output
    assert "start" in runner.invoke(args=["snapshot", "list"]).output
    runner.invoke(args=["reset"])
    assert "Restored snapshot 'start'" in runner.invoke(args=["snapshot", "restore", "start"]).output


@pytest.mark.parametrize("name", ["", "../etc/passwd", "a" * 65, "bad/name", ".hidden"])
def test_bad_names_are_refused(app, name):
    with pytest.raises(ValueError):
        snapshots.save(services_of(app).storage, name)
    assert snapshots.listing(services_of(app).storage) == []


def test_restoring_an_unknown_snapshot(app, client):
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/snapshots", data={"csrf_token": csrf(page), "name": "nope", "restore": "1", "confirmed": "yes"})
    assert "there is no snapshot named" in client.get("/admin/").get_data(as_text=True)


def put(app, name: str, body: str) -> None:
    """A snapshot row as anything may have written it."""
    with services_of(app).storage.write() as conn:
        conn.execute(insert(Snapshot).values(name=name, saved_at=datetime(2026, 1, 1), revision="x", rows=0, body=body))


@pytest.mark.parametrize("content", ["not json", "[]", '{"saved_at": "x"}', '{"tables": []}', '{"tables": "x"}'])
def test_a_row_that_is_not_a_snapshot_is_refused_clearly(app, content):
    put(app, "odd", content)
    with pytest.raises(ValueError, match="is not a snapshot the sandbox saved"):
        snapshots.restore(services_of(app).storage, "odd")


def test_files_an_earlier_version_saved_are_read_in_by_init_db(app, tmp_path):
    """Snapshots were files in instance/snapshots before 0013: `flask init-db` reads them in, keeps the files,
    skips what is not a snapshot, and a second run reads nothing twice."""
    folder = tmp_path / "snaps"
    snapshots.save(services_of(app).storage, "then")
    body = snapshots.document(services_of(app).storage, "then")
    snapshots.delete_named(services_of(app).storage, "then")
    folder.mkdir()
    (folder / "then.json").write_text(json.dumps(body))
    (folder / "broken.json").write_text("not json")
    (folder / "bad name!.json").write_text(json.dumps(body))
    app.config["FPS_SNAPSHOT_DIR"] = str(folder)
    out = app.test_cli_runner().invoke(args=["init-db"]).output
    assert "Read 1 snapshot file(s) into the database: then" in out, out
    assert [name for name, _ in snapshots.listing(services_of(app).storage)] == ["then"]
    assert (folder / "then.json").exists()
    assert "Read" not in app.test_cli_runner().invoke(args=["init-db"]).output
    assert snapshots.restore(services_of(app).storage, "then").rows > 0


def test_the_shipped_lesson_restores_from_the_dashboard(app, client, fps):
    page = client.get("/admin/").get_data(as_text=True)
    assert "lesson-1-prepaid" in page and "ships with the" in page
    r = client.post("/admin/snapshots", data={"csrf_token": csrf(page), "name": "lesson-1-prepaid", "restore": "1",
                                              "confirmed": "yes"})
    assert r.status_code == 302
    flashed = client.get("/admin/").get_data(as_text=True)
    assert "Restored snapshot &#39;lesson-1-prepaid&#39;" in flashed
    from sqlalchemy import select

    from conftest import assert_books_balance
    from sandbox.models import FpsTransaction, Instrument
    with services_of(app).storage.read() as conn:
        ops = conn.execute(select(FpsTransaction.operation, FpsTransaction.fee_cents)).all()
        inst = conn.execute(select(Instrument.instrument_id, Instrument.balance_cents)).one()
    assert sorted(ops) == [("FundPrepaid", 30)] + [("Pay", 0)] * 5
    assert inst.balance_cents == 750
    balance = fps.call("GetPrepaidBalance", PrepaidInstrumentId=inst.instrument_id)
    assert balance.find("GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "7.500000"
    assert_books_balance(app)


def test_a_shipped_lesson_cannot_be_overwritten(app):
    with pytest.raises(ValueError, match="ships with the sandbox"):
        snapshots.save(services_of(app).storage, "lesson-1-prepaid")
    assert "lesson-1-prepaid" in app.test_cli_runner().invoke(args=["snapshot", "list"]).output


def test_a_snapshot_saved_at_a_revision_between_releases_is_upgraded(app, client, fps, funded, tmp_path):
    """Saved by a version whose schema was 0008 (migrations 0009-0011 came later): restored, rows kept."""
    snapshots.save(services_of(app).storage, "mid")
    document = snapshots.document(services_of(app).storage, "mid")
    document["schema"] = "0008"
    for row in document["tables"]["api_call"]:
        row.pop("subject")  # 0009 added it
    for table in ("caught_notification", "lesson_run"):  # 0010 and 0011 added them
        document["tables"].pop(table)
    put(app, "mid-0008", json.dumps(document))
    restored = snapshots.restore(services_of(app).storage, "mid-0008")
    assert restored.upgraded_from == "0008" and restored.rows > 0
    balance = fps.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"])
    assert balance.find("GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "10.000000"
