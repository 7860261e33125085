"""Guided lessons keep their runs; the request log finds a caller's Co-Branded starts through an index.

Revision ID: 0011
Revises: 0010

`lesson_run`: one run of a guided lesson (admin/lessons.py), in a caller and a buyer of its own.
`ix_api_call_cbui`: the sequence diagrams look up the Co-Branded start that installed a token among a
caller's requests; Co-Branded starts are few, so a partial index keeps that quick at a million Pays.
"""

from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CBUI = "face = 'cbui'"


def upgrade() -> None:
    op.create_table(
        "lesson_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson", sa.String(length=32), nullable=False),
        sa.Column("caller_id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["caller_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["buyer_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_api_call_cbui", "api_call", ["access_key", "id"], sqlite_where=sa.text(CBUI),
                    postgresql_where=sa.text(CBUI))


def downgrade() -> None:
    op.drop_index("ix_api_call_cbui", table_name="api_call")
    op.drop_table("lesson_run")
