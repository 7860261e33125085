"""CLI: init-db keeps an existing database, reset reloads the demo world, check-books, banner."""

from sqlalchemy import func, select

from conftest import services_of
from sandbox.models import Account, Instrument


def test_init_db_keeps_existing_data(app, funded):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert "up to date; kept as it is" in result.output
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(func.count()).select_from(Instrument)).scalar_one() == 1


def test_reset_and_check_books(app, funded):
    runner = app.test_cli_runner()
    assert "demo world" in runner.invoke(args=["reset"]).output
    with services_of(app).storage.read() as conn:
        assert conn.execute(select(func.count()).select_from(Instrument)).scalar_one() == 0
        assert conn.execute(select(Account.balance_cents).where(Account.email == "john@example.com")).scalar_one() == 10000
    result = runner.invoke(args=["check-books"])
    assert result.exit_code == 0 and "The books balance." in result.output


def test_check_books_fails_on_drift(app, funded):
    from sqlalchemy import update

    with services_of(app).storage.write() as conn:
        conn.execute(update(Instrument).values(balance_cents=1))
    result = app.test_cli_runner().invoke(args=["check-books"])
    assert result.exit_code == 1 and "PROBLEM" in result.output
    with services_of(app).storage.write() as conn:
        conn.execute(update(Instrument).values(balance_cents=1000))


def test_banner_prints_urls_and_logins(app):
    out = app.test_cli_runner().invoke(args=["banner"]).output
    assert "http://127.0.0.1:5000/admin/" in out and "AKIAIOSFODNN7EXAMPLE" in out
    assert "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" in out and "john@example.com / sandbox" in out
    assert "http://127.0.0.1:5000/merchant/return" in out and "http://127.0.0.1:5000/admin/recipes" in out


def test_docs_list_every_error_code_as_the_code_does(app):
    from pathlib import Path

    table = app.test_cli_runner().invoke(args=["error-codes"]).output.strip()
    readme = (Path(__file__).parent.parent / "docs" / "forcing-outcomes.md").read_text()
    assert table in readme, "docs/forcing-outcomes.md: the error-code table is stale: paste `flask --app app error-codes`"


def test_coverage_md_is_current(app):
    from pathlib import Path

    out = app.test_cli_runner().invoke(args=["coverage"]).output
    assert "- [x] `Pay` (writes)" in out and "- [ ] `Reserve`" in out and "- [x] `SetupPrepaid`" in out
    assert (Path(__file__).parent.parent / "COVERAGE.md").read_text() == out, \
        "COVERAGE.md is stale: run `flask --app app coverage > COVERAGE.md`"
