"""Shared core: stored answers of requests with an Idempotency-Key.

A branch of its own (``idempotentie``) in the shared core, so it does not depend on the order in
which other shared revisions arrive; every service gets it (rapportage has no POST, so its
table stays empty).

Revision ID: idempotentie_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "idempotentie_0001"
down_revision = None
branch_labels = ("idempotentie",)


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("sleutel", sa.String(255), primary_key=True),
        sa.Column("vingerafdruk", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("vastgelegd_op", UtcDateTime, nullable=False),
        sa.Column("verloopt_op", UtcDateTime, nullable=False),
    )
    # The cleanup deletes by expiry.
    op.create_index("ix_idempotency_keys_verloopt_op", "idempotency_keys", ["verloopt_op"])


def downgrade() -> None:
    op.drop_table("idempotency_keys")
