"""The merchant inbox's IPN catcher keeps what it receives.

Revision ID: 0010
Revises: 0009

`/merchant/ipn/<name>` stores each notification it is sent, with VerifySignature's verdict and the
HTTP status it answered, so a tester sees deliveries (and retries) without a listener of their own.
"""

from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caught_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_caught_notification_name", "caught_notification", ["name", "id"])


def downgrade() -> None:
    op.drop_index("ix_caught_notification_name", table_name="caught_notification")
    op.drop_table("caught_notification")
