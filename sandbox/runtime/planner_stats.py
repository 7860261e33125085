"""PostgreSQL's planner statistics for a sandbox's tables, kept fresh by the background worker.

A sandbox starts from nearly empty tables (a reset, a new classroom sandbox) and then grows by thousands
of rows a minute. A statement run often is planned once per pooled connection (psycopg prepares it) with
the statistics of that moment: planned against a table of one page, looking up a CallerReference reads
the whole table on every Pay ever after (measured: 20,755 full scans of fps_transaction in one bench run,
the Pay rate falling from round to round). ANALYZE has the plans made again. autovacuum does that where
it is on, a minute or more later; a test server often has it off. So the worker analyzes, at most every
ANALYZE_SECONDS, the sandbox's tables that changed by more than autovacuum's own default threshold (50
rows plus 10%) since their last analysis. SQLite plans each statement afresh: nothing to do there.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:  # for annotations only: services.tick imports this module
    from .services import Services

ANALYZE_SECONDS = 5.0
RETRY_SECONDS = 600.0  # after a failure
log = logging.getLogger(__name__)
_CHANGED = text("SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND n_mod_since_analyze > 50 + 0.1 * n_live_tup ORDER BY relname")
_last: dict[str, float] = {}  # sandbox name -> when its tables were last looked at (monotonic)


def refresh(svc: Services) -> list[str]:
    """ANALYZE the sandbox's tables that changed enough since their last analysis (PostgreSQL; at most every
    ANALYZE_SECONDS per sandbox); answers their names."""
    if svc.storage.is_sqlite or time.monotonic() - _last.get(svc.name, float("-inf")) < ANALYZE_SECONDS:
        return []
    _last[svc.name] = time.monotonic()
    try:
        with svc.storage.read(snapshot=False) as conn:
            names = list(conn.execute(_CHANGED).scalars())
            for name in names:
                conn.exec_driver_sql(f'ANALYZE "{name}"')
    except SQLAlchemyError:  # e.g. a role that may not analyze: the plans stay as they are; try again later
        log.warning("could not refresh the planner statistics of sandbox %s", svc.name, exc_info=True)
        _last[svc.name] = time.monotonic() + RETRY_SECONDS
        return []
    return names
