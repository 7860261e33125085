"""The Pending transactions of one instrument, and of one recipient, each through an index of their own.

Revision ID: 0008
Revises: 0007

GetPrepaidBalance, GetDebtBalance, SettleDebt's open debt, GetTotalPrepaidLiability,
GetOutstandingDebtBalance and GetAccountBalance add up what is still Pending. Without these partial
indexes they read every transaction of the instrument (every Pay ever made with it) or of the
recipient: a read that grew with the sandbox (bench/ratio_bench.py found it). Pending rows are few,
so the indexes cost next to nothing to keep up.
"""

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PENDING = "status = 'Pending'"
# With the operation as a second column, SQLite prefers them to the plain instrument_pk index even
# without statistics (tests/test_query_plans.py asks its planner).
INDEXES = {"ix_fps_transaction_pending_instrument": ["instrument_pk", "operation"],
           "ix_fps_transaction_pending_recipient": ["recipient_id", "operation"]}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "fps_transaction", columns, sqlite_where=sa.text(PENDING),
                        postgresql_where=sa.text(PENDING))


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="fps_transaction")
