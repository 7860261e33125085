"""`make run` on a database an earlier release made: gunicorn refuses to serve it until `flask init-db`
(which `make run` calls first) has upgraded it; then the release's instruments take Pays over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sandbox.compat.boto2 import connect
from conftest import DD_KEY, DD_SECRET
from e2e.conftest import e2e_database_url, free_port
from e2e.test_ipn_e2e import crash, start_server
from test_migrations import load_release

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def test_gunicorn_waits_for_init_db_then_serves_the_old_data(tmp_path):
    url = e2e_database_url(tmp_path, schema="fps_e2e_upgrade")
    if url.startswith("postgresql"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA fps_e2e_upgrade CASCADE"))
            conn.execute(text("CREATE SCHEMA fps_e2e_upgrade"))
        engine.dispose()
        load_release({"url": url, "engine": "postgresql"}, "schema6")
    else:
        load_release({"url": url, "engine": "sqlite", "path": tmp_path / "sandbox.sqlite"}, "schema6")
    env = {**os.environ, "FPS_SANDBOX_SQLALCHEMY_DATABASE_URI": url, "FPS_SANDBOX_FPS_KEY_DIR": str(tmp_path),
           "FPS_SANDBOX_SECRET_KEY": "e2e"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    refused = subprocess.run([gunicorn, "-w", "1", "-b", f"127.0.0.1:{free_port()}", "app:app"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "run `flask --app app init-db`" in refused.stdout + refused.stderr

    flask = str(Path(sys.executable).parent / "flask")
    upgraded = subprocess.run([flask, "--app", "app", "init-db"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "Upgraded the database from schema 0006" in upgraded.stdout, upgraded.stdout + upgraded.stderr
    port = free_port()
    server = start_server(env, port, tmp_path / "server.log")
    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            token = conn.execute(text("SELECT token_id FROM token WHERE role = 'PrepaidSender' AND status = 'Active'")
                                 ).scalar_one()
        engine.dispose()
        fps = connect("127.0.0.1", port, DD_KEY, DD_SECRET)
        paid = fps.pay(SenderTokenId=token, TransactionAmount="0.50", CallerReference=f"upgraded-{time.time()}")
        assert paid.PayResult.TransactionStatus == "Success"
    finally:
        crash(server)
