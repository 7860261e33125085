"""Recipes: each one click yields its outcome, as real logged traffic, and opens what it made."""

import pytest
from sqlalchemy import select

from conftest import assert_books_balance, csrf, services_of
from sandbox.admin.recipes import RECIPES
from sandbox.models import ApiCall, FpsTransaction


@pytest.fixture
def app_config(app_config):
    return {**app_config, "FPS_PENDING_SECONDS": 3600}  # a Pending settlement stays Pending while the test looks


def run(client, name):
    page = client.get("/admin/recipes").get_data(as_text=True)
    r = client.post(f"/admin/recipes/{name}", data={"csrf_token": csrf(page)})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return r.headers["Location"], client.get(r.headers["Location"]).get_data(as_text=True)


EXPECTED = {
    "declined-funding": ("/admin/transactions/", "FundPrepaid of $10.75: Failure"),
    "pending-then-failed-settlement": ("/admin/transactions/", "SettleDebt of $1.65: Pending now"),
    "ipn-retried": ("/merchant/ipn/recipe-", "first delivery was answered 503"),
    "refund": ("/admin/transactions/", "Pay of $0.50, then Refund: Success"),
    "cancelled-token": ("/admin/tokens/", "CancelToken, then a Pay with it: TokenNotActive_Sender"),
    "expired-instrument": ("/admin/tokens/", "validity ended yesterday: InstrumentExpired"),
    "usage-limit": ("/admin/tokens/", "then a third: TokenUsageError"),
    "insufficient-balance": ("/admin/tokens/", "then a third: InsufficientBalance"),
    "special-tokens": ("/admin/requests", "UnverifiedEmailAddress_Sender, InvalidAccountState_Sender, AccountClosed, "
                                          "PendingUserAction, PendingReview, Closed"),
}


def test_every_recipe_is_listed_and_tested():
    assert set(EXPECTED) == set(RECIPES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_recipe_yields_its_outcome(app, client, name):
    where, words = EXPECTED[name]
    location, page = run(client, name)
    assert where in location, location
    assert words in page, page[page.find('class="flash"'):][:400]
    with services_of(app).storage.read() as conn:
        faces = set(conn.execute(select(ApiCall.face)).scalars())
    assert faces <= {"console", "merchant"} and "console" in faces  # the recipe's calls, logged as the console's
    assert_books_balance(app)


def test_a_recipe_runs_again_with_fresh_references(app, client):
    run(client, "refund")
    run(client, "refund")
    with services_of(app).storage.read() as conn:
        refunds = conn.execute(select(FpsTransaction.status).where(FpsTransaction.operation == "Refund")).all()
    assert [r.status for r in refunds] == ["Success", "Success"]


def test_the_declined_funding_shows_no_fee(client):
    _, page = run(client, "declined-funding")
    assert "none: no money moved" in page and "TransactionDenied" in page


def test_unknown_recipes_and_missing_csrf_are_refused(client):
    page = client.get("/admin/recipes").get_data(as_text=True)
    assert client.post("/admin/recipes/nope", data={"csrf_token": csrf(page)}).status_code == 404
    assert client.post("/admin/recipes/refund", data={}).status_code == 400


def test_a_recipe_without_the_demo_world_says_so(app, client):
    from sqlalchemy import update

    from sandbox.models import Account
    with services_of(app).storage.write() as conn:
        conn.execute(update(Account).where(Account.email == "john@example.com").values(email="gone@example.com"))
    page = client.get("/admin/recipes").get_data(as_text=True)
    r = client.post("/admin/recipes/refund", data={"csrf_token": csrf(page)}, follow_redirects=True)
    assert "not done: the demo buyer john@example.com is not there" in r.get_data(as_text=True)


def test_a_recipe_that_needs_the_amount_triggers_says_when_they_are_off(app, client):
    from dataclasses import replace

    svc = services_of(app)
    svc.policy = replace(svc.policy, amount_triggers=False)
    page = client.get("/admin/recipes").get_data(as_text=True)
    r = client.post("/admin/recipes/declined-funding", data={"csrf_token": csrf(page)}, follow_redirects=True)
    assert "FPS_AMOUNT_TRIGGERS=false turned off" in r.get_data(as_text=True)
