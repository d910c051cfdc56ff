"""Locaties: the bitemporal history of every site's state (for historic lists).

Revision ID: locaties_0002
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "locaties_0002"
down_revision = "locaties_0001"


def upgrade() -> None:
    op.create_table(
        "spoedlocatie_standen",
        sa.Column("locatie_id", sa.String(11), primary_key=True),
        sa.Column("geldig_vanaf", sa.Date, primary_key=True),
        sa.Column("versie_vanaf", sa.Integer, primary_key=True),
        sa.Column("geldig_tot", sa.Date, nullable=True),
        sa.Column("bekend_vanaf", UtcDateTime, nullable=False),
        sa.Column("bekend_tot", UtcDateTime, nullable=True),
        sa.Column("bevoegd_gezag", sa.String(2), nullable=False),
        sa.Column("provincie", sa.String(2), nullable=False),
        sa.Column("gemeentecode", sa.String(4), nullable=False),
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("bodemtype", sa.String(20), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("status_sinds", sa.Date, nullable=False),
        sa.Column("registratiedatum", sa.Date, nullable=False),
        sa.Column("afgehandeld_op", sa.Date, nullable=True),
        sa.Column("risico_humaan", sa.Boolean, nullable=False),
        sa.Column("risico_ecologisch", sa.Boolean, nullable=False),
        sa.Column("risico_verspreiding", sa.Boolean, nullable=False),
        sa.Column("risicos", sa.JSON, nullable=False),
        sa.Column("knelpunt", sa.String(20), nullable=True),
        sa.Column("budget_euro", sa.BigInteger, nullable=False),
        sa.Column("kosten_euro", sa.BigInteger, nullable=False),
        sa.Column("verontreinigingsgroepen", sa.JSON, nullable=False),
        sa.Column("geometrie_rd", sa.JSON, nullable=True),
    )
    op.create_index("ix_standen_geldig", "spoedlocatie_standen", ["geldig_vanaf", "geldig_tot"])
    op.create_index("ix_standen_bekend", "spoedlocatie_standen", ["bekend_vanaf", "bekend_tot"])


def downgrade() -> None:
    op.drop_table("spoedlocatie_standen")
