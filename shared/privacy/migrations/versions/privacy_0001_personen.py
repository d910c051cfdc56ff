"""Person store: pseudonyms, per-person keys and encrypted personal details.

A branch of its own (``privacy``), added by the services that record people's actions
(locaties, kennis) and not by rapportage, which only reads pseudonyms from the topics.

Revision ID: privacy_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "privacy_0001"
down_revision = None
branch_labels = ("privacy",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personen",
        sa.Column("pseudoniem", sa.String(40), primary_key=True),
        sa.Column("zoekwaarde", sa.String(64), nullable=True, unique=True),
        sa.Column("aangemaakt_op", UtcDateTime, nullable=False),
        sa.Column("verwijderd_op", UtcDateTime, nullable=True),
    )
    op.create_table(
        "persoon_sleutels",
        sa.Column(
            "pseudoniem",
            sa.String(40),
            sa.ForeignKey("personen.pseudoniem"),
            primary_key=True,
        ),
        sa.Column("sleutel", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "persoon_gegevens",
        sa.Column(
            "pseudoniem",
            sa.String(40),
            sa.ForeignKey("personen.pseudoniem"),
            primary_key=True,
        ),
        sa.Column("ref", sa.String(60), primary_key=True),
        sa.Column("versleuteld", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("persoon_gegevens")
    op.drop_table("persoon_sleutels")
    op.drop_table("personen")
