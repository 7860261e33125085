"""Sandboxes of their own (a classroom), their callers' keys, and snapshots in the database.

Revision ID: 0013
Revises: 0012

Each sandbox beside the default one lives in a database of its own (a schema on PostgreSQL, a file on
SQLite) at the same revision; the default sandbox's `sandbox` and `sandbox_key` list them. Named
snapshots move from files in instance/snapshots into `snapshot`, so every server sees them; the files
are read in by `flask init-db` and left where they are.
"""

from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sandbox",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("lesson", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=True),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "sandbox_key",
        sa.Column("access_key", sa.String(length=64), nullable=False),
        sa.Column("sandbox", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["sandbox"], ["sandbox.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("access_key"),
    )
    op.create_index("ix_sandbox_key_sandbox", "sandbox_key", ["sandbox"])
    op.create_table(
        "snapshot",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("snapshot")
    op.drop_index("ix_sandbox_key_sandbox", table_name="sandbox_key")
    op.drop_table("sandbox_key")
    op.drop_table("sandbox")
