"""Properties over every action, every Co-Branded input and raw HTTP junk (a short, derandomized profile;
bench/fuzz_run.py is the long one): no 5xx, every reply FPS XML or a redirect or a page, books balanced."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import DD_KEY, DD_SECRET, ROOT, Buyer, SignedCaller, assert_books_balance, dispose, prepaid_params, services_of
from fuzzing import Tally, api_requests, build_world, cbui_links, check_api_reply, check_cbui_reply, check_raw_reply, \
    nasty_text, raw_requests, send_raw
from sandbox import create_app
from sandbox.runtime.world import load_fixture, reset

SHORT = settings(max_examples=200, derandomize=True, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def world(tmp_path_factory, key_dir):
    from conftest import database_url

    work = tmp_path_factory.mktemp("fuzz")
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "SQLALCHEMY_DATABASE_URI": database_url(work),
                      "FPS_KEY_DIR": str(key_dir), "FPS_PENDING_SECONDS": 0, "FPS_BACKGROUND_WORKER": False})
    with services_of(app).storage.write() as conn:
        reset(conn, load_fixture(ROOT / "fixtures" / "demo.json"), datetime(2026, 1, 1))
    yield build_world(app)
    assert_books_balance(app)  # after everything the fuzz sent
    dispose(app)


def _assert_clean(tally: Tally) -> None:
    assert not tally.problems, tally.problems


def test_every_action_with_hostile_values(world):
    tally = Tally()

    @SHORT
    @given(request=api_requests(world))
    def run(request):
        method, values = request
        reply = world.client.get("/?" + urlencode(values)) if method == "GET" else world.client.post("/", data=values)
        check_api_reply(reply, tally, f"{method} {values.get('Action')!r}")
        _assert_clean(tally)

    run()
    assert sum(tally.statuses.values()) >= 200 and tally.statuses[200] > 0 and tally.statuses[400] > 0


def test_whatever_a_write_accepts_reads_back_as_xml(world):
    """Text the sandbox stores is echoed later (GetTransaction, GetTokens): what it accepts must fit XML."""
    fps = SignedCaller(world.client, DD_KEY, DD_SECRET)
    own = Buyer(world.client).authorize(prepaid_params("read-back"), method_label="Visa")  # the fuzz may cancel others
    fps.call("FundPrepaid", SenderTokenId=own["fundingTokenID"], PrepaidInstrumentId=own["prepaidInstrumentID"],
             CallerReference="read-back-fund", **{"FundingAmount.Value": "10.00"})
    accepted = []

    @SHORT
    @given(description=nasty_text, reason=nasty_text)
    def run(description, reason):
        paid = fps.call("Pay", SenderTokenId=own["prepaidSenderTokenID"], CallerReference=str(uuid.uuid4()),
                        CallerDescription=description, SenderDescription=reason, **{"TransactionAmount.Value": "0.01"})
        tid = paid.find("PayResult/TransactionId")
        if tid is None:
            assert paid.error_code in ("InvalidParams", "InsufficientBalance"), paid.text
            return
        accepted.append(tid)
        again = fps.call("GetTransaction", TransactionId=tid)  # parses, or FpsResponse.find raises
        echoed = again.find("GetTransactionResult/Transaction/CallerDescription")
        assert echoed == (description.replace("\r\n", "\n").replace("\r", "\n") or None)  # XML's line ends

    run()
    assert accepted  # the property was exercised, not refused wholesale


def test_every_cobranded_input_with_hostile_values(world):
    tally = Tally()

    @SHORT
    @given(link=cbui_links(world))
    def run(link):
        check_cbui_reply(world.client.get(link), tally, link[:200])
        _assert_clean(tally)

    run()
    assert tally.statuses[302] > 0


def test_raw_http_junk(world):
    tally = Tally()

    @SHORT
    @given(request=raw_requests())
    def run(request):
        check_raw_reply(send_raw(world.client, request), request, tally)
        _assert_clean(tally)

    run()
    assert tally.statuses[400] > 0 and tally.statuses[405] > 0
