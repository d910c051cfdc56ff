"""Kennis: remediation progress per site, read from bodem.spoedlocaties.v1 (koplopers).

Revision ID: kennis_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "kennis_0002"
down_revision = "kennis_0001"


def upgrade() -> None:
    op.create_table(
        "k_locaties",
        sa.Column("locatie_id", sa.String(11), primary_key=True),
        sa.Column("bevoegd_gezag", sa.String(2), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("k_locaties")
