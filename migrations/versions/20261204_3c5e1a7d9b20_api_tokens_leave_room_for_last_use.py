"""api tokens leave room on each page for their last use

Reviewed: a storage setting only, on PostgreSQL (SQLite has none; nothing happens there). Each token's
"last used" time is written in batches once a minute per worker (portal/campaigns/tokens.py, TokenUses),
in the request that notes the next use. With pages packed full, every such write put the row's new
version on another page and into all four of the table's indexes: 233 ms of PostgreSQL for a batch of
12,000 tokens (a minute of one worker at the step API benchmark's rate), while that request waited.
With half of each page left free, the new version stays on its page and no index changes (a HOT update:
last_used_at is in no index): 36-44 ms. The setting governs pages written from now on; an existing
installation's table reaches it as rows are updated and vacuumed, or at once with
`VACUUM FULL api_tokens` (a few MB; it locks the table for well under a second per 100,000 tokens).
Downgrade restores the default.

Revision ID: 3c5e1a7d9b20
Revises: 719a3fd4a03e
Create Date: 2026-12-04 13:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c5e1a7d9b20'
down_revision = '719a3fd4a03e'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE api_tokens SET (fillfactor = 50)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE api_tokens RESET (fillfactor)")
