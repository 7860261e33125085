"""Running totals over time: per caller and day, and Pays per amount and payment method.

Revision ID: 0012
Revises: 0011

The dashboard charts each caller's Pays, money moved and fees per day, and says what its Pays would
have cost charged one by one. Both are folded up to watermarks of their own (domain/history_rollups.py);
on an upgraded database the first fold reads the status history once, after that only the new rows.
"""

from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caller_day_total",
        sa.Column("caller_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["caller_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("caller_id", "day", "operation"),
    )
    op.create_table(
        "pay_amount_total",
        sa.Column("caller_id", sa.Integer(), nullable=False),
        sa.Column("payment_method", sa.String(length=3), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["caller_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("caller_id", "payment_method", "amount_cents"),
    )


def downgrade() -> None:
    op.drop_table("pay_amount_total")
    op.drop_table("caller_day_total")
