"""Snapshots: save the whole state, change it, restore it: exactly the same rows come back."""

import pytest

from conftest import csrf, services_of
from sandbox.runtime import snapshots
from sandbox.models import Base


def dump(app):
    with services_of(app).storage.read() as conn:
        return {t.name: [tuple(r) for r in conn.execute(t.select().order_by(*t.primary_key.columns))]
                for t in Base.metadata.sorted_tables}


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "FPS_SNAPSHOT_DIR": str(tmp_path / "snaps")}


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
def test_bad_names_are_refused(app, tmp_path, name):
    with pytest.raises(ValueError):
        snapshots.save(services_of(app).storage, tmp_path / "snaps", name)
    assert not (tmp_path / "snaps").exists()


def test_restoring_an_unknown_snapshot(app, client):
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/snapshots", data={"csrf_token": csrf(page), "name": "nope", "restore": "1", "confirmed": "yes"})
    assert "there is no snapshot named" in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("content", ["not json", "[]", '{"saved_at": "x"}', '{"tables": []}', '{"tables": "x"}'])
def test_a_file_that_is_not_a_snapshot_is_refused_clearly(app, tmp_path, content):
    (tmp_path / "snaps").mkdir(exist_ok=True)
    (tmp_path / "snaps" / "odd.json").write_text(content)
    with pytest.raises(ValueError, match="is not a snapshot the sandbox saved"):
        snapshots.restore(services_of(app).storage, tmp_path / "snaps", "odd")


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


def test_a_shipped_lesson_cannot_be_overwritten(app, tmp_path):
    with pytest.raises(ValueError, match="ships with the sandbox"):
        snapshots.save(services_of(app).storage, tmp_path / "snaps", "lesson-1-prepaid")
    assert "lesson-1-prepaid" in app.test_cli_runner().invoke(args=["snapshot", "list"]).output


def test_a_snapshot_saved_at_a_revision_between_releases_is_upgraded(app, client, fps, funded, tmp_path):
    """Saved by a version whose schema was 0008 (migrations 0009-0011 came later): restored, rows kept."""
    import json

    folder = tmp_path / "snaps"
    snapshots.save(services_of(app).storage, folder, "mid")
    document = json.loads((folder / "mid.json").read_text())
    document["schema"] = "0008"
    for row in document["tables"]["api_call"]:
        row.pop("subject")  # 0009 added it
    for table in ("caught_notification", "lesson_run"):  # 0010 and 0011 added them
        document["tables"].pop(table)
    (folder / "mid.json").write_text(json.dumps(document))
    restored = snapshots.restore(services_of(app).storage, folder, "mid")
    assert restored.upgraded_from == "0008" and restored.rows > 0
    balance = fps.call("GetPrepaidBalance", PrepaidInstrumentId=funded["prepaidInstrumentID"])
    assert balance.find("GetPrepaidBalanceResult/PrepaidBalance/AvailableBalance/Value") == "10.000000"
