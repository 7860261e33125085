"""Makes fixtures/snapshots/lesson-1-prepaid.json, the starting point of a prepaid lesson that ships with the
sandbox: the demo world, John Smith's $10.00 prepaid instrument at DigitalDownload (fee $0.30, net $9.70) and
five $0.50 songs bought. Run from the project's directory: `.venv/bin/python tests/make_lesson_snapshot.py`.

The file carries its schema revision, so a later version of the sandbox upgrades it when it is restored.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import DD_KEY, DD_SECRET, Buyer, SignedCaller, prepaid_params  # noqa: E402
from sandbox import create_app  # noqa: E402
from sandbox.runtime import snapshots  # noqa: E402
from sandbox.runtime.world import load_fixture, reset  # noqa: E402

NAME = "lesson-1-prepaid"
ABOUT = "John's $10.00 prepaid instrument at DigitalDownload, funded (fee $0.30), five $0.50 songs bought"


def make(out: Path) -> Path:
    work = Path(tempfile.mkdtemp())
    app = create_app({"TESTING": True, "SECRET_KEY": "lesson", "WTF_CSRF_ENABLED": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'lesson.sqlite'}", "FPS_KEY_DIR": str(work),
                      "FPS_PENDING_SECONDS": 0, "FPS_BACKGROUND_WORKER": False})
    svc = app.extensions["fps_sandbox"]
    with svc.storage.write() as conn:
        reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), datetime.now())
    client = app.test_client()
    ret = Buyer(client).authorize(prepaid_params("lesson-1", returnURL="https://merchant.example.com/fps/return"))
    fps = SignedCaller(client, DD_KEY, DD_SECRET)
    funded = fps.call("FundPrepaid", SenderTokenId=ret["fundingTokenID"], PrepaidInstrumentId=ret["prepaidInstrumentID"],
                      CallerReference="lesson-1-funding", **{"FundingAmount.Value": "10.00"})
    assert funded.find("FundPrepaidResult/TransactionStatus") == "Success", funded.text
    for n in range(1, 6):
        paid = fps.call("Pay", SenderTokenId=ret["prepaidSenderTokenID"], CallerReference=f"lesson-1-song-{n}",
                        **{"TransactionAmount.Value": "0.50"})
        assert paid.find("PayResult/TransactionStatus") == "Success", paid.text
    snapshots.save(svc.storage, NAME)
    document = snapshots.document(svc.storage, NAME)
    document["about"] = ABOUT
    document["tables"]["api_call"] = []  # the request log is the class's own, not the maker's
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{NAME}.json"
    path.write_text(json.dumps(document, indent=None, separators=(",", ":")))
    return path


if __name__ == "__main__":
    print(make(ROOT / "fixtures" / "snapshots"))
