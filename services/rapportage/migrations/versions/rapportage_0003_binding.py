"""Rapportage: the chain hash of every processed position and the log's anchors, per stream,
so every report names the log it was built from (issue 11).

Facts read before this revision have no hash, so the read models are emptied and the consumers
read their topics again from offset 0 (the log is kept forever; the read model is derived).

Revision ID: rapportage_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "rapportage_0003"
down_revision = "rapportage_0002"

PREFIXEN = ("r_", "r_kennis_")


def upgrade() -> None:
    for prefix in PREFIXEN:
        op.create_table(
            f"{prefix}zegels",
            sa.Column("positie", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("hash", sa.String(64), nullable=False),
        )
        op.create_table(
            f"{prefix}ankers",
            sa.Column("positie", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("tot_en_met", sa.BigInteger, nullable=False),
            sa.Column("merkle_root", sa.String(64), nullable=False),
            sa.Column("sleutel_id", sa.String(64), nullable=True),
            sa.Column("handtekening", sa.String(200), nullable=True),
        )
        for tabel in ("feiten", "bron", "verwerkt"):
            op.execute(f"DELETE FROM {prefix}{tabel}")
    # Only rapportage's consumers keep offsets in its database: all of them start over.
    for tabel in ("consumer_offsets", "consumer_streams", "dead_letters"):
        op.execute(f"DELETE FROM {tabel}")


def downgrade() -> None:
    for prefix in PREFIXEN:
        op.drop_table(f"{prefix}ankers")
        op.drop_table(f"{prefix}zegels")
