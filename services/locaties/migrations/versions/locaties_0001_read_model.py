"""Locaties: current-state read model and site number counters.

Revision ID: locaties_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "locaties_0001"
down_revision = None
branch_labels = ("locaties",)
depends_on = ("shared_0001",)


def upgrade() -> None:
    op.create_table(
        "spoedlocaties",
        sa.Column("locatie_id", sa.String(11), primary_key=True),
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
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("bijgewerkt_op", UtcDateTime, nullable=False),
    )
    op.create_index("ix_spoedlocaties_bg_status", "spoedlocaties", ["bevoegd_gezag", "status"])
    op.create_index("ix_spoedlocaties_status", "spoedlocaties", ["status"])
    op.create_table(
        "locatie_volgnummers",
        sa.Column("prefix", sa.String(6), primary_key=True),
        sa.Column("laatste", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("locatie_volgnummers")
    op.drop_table("spoedlocaties")
