"""Kennis: experts name their person by pseudonym; name and contact address leave the read
model for the person store (erasable). Old rows lose their name and address here.

Revision ID: kennis_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "kennis_0005"
down_revision = "kennis_0004"


def upgrade() -> None:
    with op.batch_alter_table("k_experts") as batch:
        batch.drop_column("naam")
        batch.drop_column("contact")
        batch.add_column(sa.Column("persoon", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("k_experts") as batch:
        batch.drop_column("persoon")
        batch.add_column(sa.Column("naam", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("contact", sa.String(300), nullable=False, server_default=""))
