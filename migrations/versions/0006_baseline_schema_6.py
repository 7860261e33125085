"""Schema 6, the last release before migrations: the baseline a database of that release is stamped with.

Revision ID: 0006
Revises: -
Created: 2026-11-30 (schema 6 released 2026-11-22, commit 663f827)

A database made by that release has no alembic_version table; sandbox/migrations.py recognises it by
sandbox_meta's schema_version row and stamps it with this revision before upgrading. On an empty
database this creates schema 6 exactly as that release did.
"""

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('password', sa.String(length=255), nullable=True),
    sa.Column('access_key', sa.String(length=64), nullable=True),
    sa.Column('secret_key', sa.String(length=128), nullable=True),
    sa.Column('balance_cents', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ipn_url', sa.String(length=2048), nullable=True),
    sa.Column('ipn_twice', sa.Boolean(), nullable=False),
    sa.Column('ipn_reorder', sa.Boolean(), nullable=False),
    sa.Column('ipn_delay_seconds', sa.Integer(), nullable=False),
    sa.Column('ipn_drop', sa.Boolean(), nullable=False),
    sa.Column('ipn_fail_first', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('access_key'),
    sa.UniqueConstraint('email')
    )
    op.create_table('fault',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('remaining', sa.Integer(), nullable=True),
    sa.Column('per_mille', sa.Integer(), nullable=True),
    sa.Column('delay_ms', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sandbox_meta',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('api_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('face', sa.String(length=8), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=True),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('access_key', sa.String(length=128), nullable=True),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('string_to_sign', sa.Text(), nullable=True),
    sa.Column('diagnosis', sa.Text(), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.String(length=35), nullable=True),
    sa.ForeignKeyConstraint(['caller_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('payment_method',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=3), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('expiry', sa.String(length=7), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('cbui_pipeline',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_name', sa.String(length=16), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=True),
    sa.Column('payment_method', sa.String(length=3), nullable=True),
    sa.Column('payment_method_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['buyer_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['caller_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_method.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('instrument',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.String(length=65), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('limit_cents', sa.BigInteger(), nullable=False),
    sa.Column('balance_cents', sa.BigInteger(), nullable=False),
    sa.Column('funded_cents', sa.BigInteger(), nullable=False),
    sa.Column('debt_cents', sa.BigInteger(), nullable=False),
    sa.Column('global_limit_cents', sa.BigInteger(), nullable=True),
    sa.Column('payment_method', sa.String(length=3), nullable=False),
    sa.Column('payment_method_id', sa.Integer(), nullable=True),
    sa.Column('payment_reason', sa.Text(), nullable=True),
    sa.Column('validity_start', sa.DateTime(), nullable=False),
    sa.Column('validity_expiry', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['caller_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['payment_method_id'], ['payment_method.id'], ),
    sa.ForeignKeyConstraint(['recipient_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['sender_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instrument_id')
    )
    op.create_table('token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.String(length=65), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('token_type', sa.String(length=16), nullable=False),
    sa.Column('instrument_pk', sa.Integer(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('caller_reference', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('payment_method', sa.String(length=8), nullable=False),
    sa.Column('payment_reason', sa.Text(), nullable=True),
    sa.Column('validity_start', sa.DateTime(), nullable=False),
    sa.Column('validity_expiry', sa.DateTime(), nullable=True),
    sa.Column('date_installed', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=1024), nullable=True),
    sa.ForeignKeyConstraint(['caller_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['instrument_pk'], ['instrument.id'], ),
    sa.ForeignKeyConstraint(['recipient_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['sender_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('caller_id', 'caller_reference'),
    sa.UniqueConstraint('token_id')
    )
    op.create_table('fps_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.String(length=35), nullable=False),
    sa.Column('caller_reference', sa.String(length=128), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('payment_method', sa.String(length=8), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('instrument_pk', sa.Integer(), nullable=True),
    sa.Column('sender_token_pk', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('fee_cents', sa.BigInteger(), nullable=False),
    sa.Column('fees_paid_by', sa.String(length=9), nullable=False),
    sa.Column('status', sa.String(length=9), nullable=False),
    sa.Column('status_code', sa.String(length=32), nullable=False),
    sa.Column('status_message', sa.String(length=255), nullable=False),
    sa.Column('caller_description', sa.String(length=160), nullable=True),
    sa.Column('sender_description', sa.String(length=160), nullable=True),
    sa.Column('date_received', sa.DateTime(), nullable=False),
    sa.Column('date_completed', sa.DateTime(), nullable=True),
    sa.Column('parent_pk', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('override_ipn_url', sa.String(length=2048), nullable=True),
    sa.ForeignKeyConstraint(['caller_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['instrument_pk'], ['instrument.id'], ),
    sa.ForeignKeyConstraint(['parent_pk'], ['fps_transaction.id'], ),
    sa.ForeignKeyConstraint(['recipient_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['sender_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['sender_token_pk'], ['token.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('caller_id', 'caller_reference'),
    sa.UniqueConstraint('transaction_id')
    )
    op.create_index(op.f('ix_fps_transaction_instrument_pk'), 'fps_transaction', ['instrument_pk'], unique=False)
    op.create_index(op.f('ix_fps_transaction_parent_pk'), 'fps_transaction', ['parent_pk'], unique=False)
    op.create_index('ix_fps_transaction_pending_due', 'fps_transaction', ['due_at'], unique=False, sqlite_where=sa.text("status = 'Pending'"), postgresql_where=sa.text("status = 'Pending'"))
    op.create_index(op.f('ix_fps_transaction_sender_token_pk'), 'fps_transaction', ['sender_token_pk'], unique=False)
    op.create_table('usage_limit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_pk', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=6), nullable=False),
    sa.Column('period_count', sa.Integer(), nullable=False),
    sa.Column('period_unit', sa.String(length=5), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['token_pk'], ['token.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_usage_limit_token_pk'), 'usage_limit', ['token_pk'], unique=False)
    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('journal', sa.String(length=40), nullable=False),
    sa.Column('transaction_pk', sa.Integer(), nullable=True),
    sa.Column('book', sa.String(length=64), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('memo', sa.String(length=160), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['transaction_pk'], ['fps_transaction.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_ledger_book', 'ledger_entry', ['book'], unique=False)
    op.create_index(op.f('ix_ledger_entry_journal'), 'ledger_entry', ['journal'], unique=False)
    op.create_index(op.f('ix_ledger_entry_transaction_pk'), 'ledger_entry', ['transaction_pk'], unique=False)
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=False),
    sa.Column('notification_type', sa.String(length=20), nullable=False),
    sa.Column('transaction_pk', sa.Integer(), nullable=True),
    sa.Column('token_pk', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=9), nullable=True),
    sa.Column('status_code', sa.String(length=32), nullable=True),
    sa.Column('url', sa.String(length=2048), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('forced_failures_left', sa.Integer(), nullable=False),
    sa.Column('twice', sa.Boolean(), nullable=False),
    sa.Column('edited_fields', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['caller_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['token_pk'], ['token.id'], ),
    sa.ForeignKeyConstraint(['transaction_pk'], ['fps_transaction.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_notification_caller_id'), 'notification', ['caller_id'], unique=False)
    op.create_index('ix_notification_due', 'notification', ['next_attempt_at'], unique=False, sqlite_where=sa.text("state = 'queued'"), postgresql_where=sa.text("state = 'queued'"))
    op.create_index(op.f('ix_notification_transaction_pk'), 'notification', ['transaction_pk'], unique=False)
    op.create_table('status_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_pk', sa.Integer(), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=9), nullable=False),
    sa.Column('status_code', sa.String(length=32), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['transaction_pk'], ['fps_transaction.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_status_history_transaction_pk'), 'status_history', ['transaction_pk'], unique=False)
    op.create_table('delivery_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_pk', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('response_excerpt', sa.String(length=512), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notification_pk'], ['notification.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_delivery_attempt_notification_pk'), 'delivery_attempt', ['notification_pk'], unique=False)
    op.bulk_insert(sa.table("sandbox_meta", sa.column("key"), sa.column("value")),
                   [{"key": "schema_version", "value": "6"}])


def downgrade() -> None:
    raise NotImplementedError("schema 6 is the oldest schema the sandbox can upgrade from")
