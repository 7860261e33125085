"""Schema 7: indexes for the console's filters, and the running totals of books and callers.

Revision ID: 0007
Revises: 0006
Created: 2026-11-30 (schema 7 released 2026-11-29, commit 9f341a5)

The running totals start empty with no watermark: the first fold adds up every existing row.
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PARTIAL = {  # name: (table, columns, WHERE)
    "ix_api_call_errors": ("api_call", ["id"], "error_code IS NOT NULL"),
    "ix_fps_transaction_unusual_operation": ("fps_transaction", ["operation", "id"], "operation <> 'Pay'"),
    "ix_fps_transaction_unusual_status": ("fps_transaction", ["status", "id"], "status <> 'Success'"),
}
PLAIN = {  # name: (table, columns)
    "ix_api_call_access_key": ("api_call", ["access_key", "id"]),
    "ix_api_call_action": ("api_call", ["action", "id"]),
    "ix_api_call_request_id": ("api_call", ["request_id"]),
    "ix_api_call_transaction": ("api_call", ["transaction_id"]),
    "ix_fps_transaction_caller": ("fps_transaction", ["caller_id", "id"]),
    "ix_fps_transaction_sender": ("fps_transaction", ["sender_id", "id"]),
    "ix_notification_caller": ("notification", ["caller_id", "id"]),
    "ix_notification_state": ("notification", ["state", "id"]),
    "ix_notification_token": ("notification", ["token_pk"]),
    "ix_token_instrument": ("token", ["instrument_pk"]),
    "ix_token_sender": ("token", ["sender_id"]),
}


def upgrade() -> None:
    op.create_table("book_total",
                    sa.Column("book", sa.String(length=64), nullable=False),
                    sa.Column("amount_cents", sa.BigInteger(), nullable=False),
                    sa.Column("lines", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("book"))
    op.create_table("caller_total",
                    sa.Column("caller_id", sa.Integer(), nullable=False),
                    sa.Column("operation", sa.String(length=16), nullable=False),
                    sa.Column("status", sa.String(length=9), nullable=False),
                    sa.Column("count", sa.BigInteger(), nullable=False),
                    sa.Column("amount_cents", sa.BigInteger(), nullable=False),
                    sa.Column("fee_cents", sa.BigInteger(), nullable=False),
                    sa.ForeignKeyConstraint(["caller_id"], ["account.id"]),
                    sa.PrimaryKeyConstraint("caller_id", "operation", "status"))
    for name, (table, columns) in PLAIN.items():
        op.create_index(name, table, columns)
    for name, (table, columns, where) in PARTIAL.items():
        op.create_index(name, table, columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    op.drop_index("ix_ledger_book", table_name="ledger_entry")
    op.create_index("ix_ledger_book", "ledger_entry", ["book", "id"])
    op.drop_index("ix_notification_caller_id", table_name="notification")
    op.execute("UPDATE sandbox_meta SET value = '7' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.execute("UPDATE sandbox_meta SET value = '6' WHERE key = 'schema_version'")
    op.create_index("ix_notification_caller_id", "notification", ["caller_id"])
    op.drop_index("ix_ledger_book", table_name="ledger_entry")
    op.create_index("ix_ledger_book", "ledger_entry", ["book"])
    for name, (table, _columns, _where) in PARTIAL.items():
        op.drop_index(name, table_name=table)
    for name, (table, _columns) in PLAIN.items():
        op.drop_index(name, table_name=table)
    op.drop_table("caller_total")
    op.drop_table("book_total")
    op.execute("DELETE FROM sandbox_meta WHERE key IN ('rollup_ledger_through', 'rollup_status_through')")
