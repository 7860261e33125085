"""The worker keeps PostgreSQL's planner statistics fresh for tables that grew (runtime/planner_stats.py):
with autovacuum off, or not yet round, a statement prepared while a table was one page long would scan the
whole table on every call."""

import time

from sqlalchemy import text

from sandbox.runtime import planner_stats
from tests.conftest import services_of


def test_tables_that_grew_are_analyzed_at_most_every_few_seconds(app, fps):
    svc = services_of(app)
    planner_stats._last.pop(svc.name, None)
    if svc.storage.is_sqlite:  # SQLite plans every statement afresh
        assert planner_stats.refresh(svc) == []
        return
    planner_stats.refresh(svc)  # what the world's reset left
    planner_stats._last.pop(svc.name, None)
    for _ in range(60):  # 60 request-log rows: more than 50 + 10% of a table analyzed while empty
        assert fps.call("GetAccountBalance").status == 200
    analyzed, deadline = [], time.monotonic() + 5
    while "api_call" not in analyzed and time.monotonic() < deadline:  # a backend reports its counts within 1 s
        planner_stats._last.pop(svc.name, None)
        analyzed = planner_stats.refresh(svc)
        time.sleep(0.2)
    assert "api_call" in analyzed
    with svc.storage.read() as conn:
        assert conn.execute(text("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                                 "WHERE schemaname = current_schema() AND relname = 'api_call'")).scalar_one()
    for _ in range(60):
        fps.call("GetAccountBalance")
    assert planner_stats.refresh(svc) == []  # looked at a moment ago: not again for ANALYZE_SECONDS
