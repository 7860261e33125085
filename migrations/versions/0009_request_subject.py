"""The request log names the token, instrument or transaction each request was about.

Revision ID: 0009
Revises: 0008

The console lists a token's, an instrument's and a transaction's refused calls (the 21st Pay, a
wrong caller's token) on its own page. `subject` is the id the request named (SenderTokenId,
TokenId, PrepaidInstrumentId, CreditInstrumentId or TransactionId); the index holds refused calls
only, which are few. Rows logged before this revision have none, and are not guessed at.
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REFUSED = "error_code IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("api_call") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=65), nullable=True))
    op.create_index("ix_api_call_refused_subject", "api_call", ["subject", "id"], sqlite_where=sa.text(REFUSED),
                    postgresql_where=sa.text(REFUSED))


def downgrade() -> None:
    op.drop_index("ix_api_call_refused_subject", table_name="api_call")
    with op.batch_alter_table("api_call") as batch:
        batch.drop_column("subject")
