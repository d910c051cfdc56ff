"""The columns of a site's state as revisions locaties_0001 (``spoedlocaties``) and
locaties_0002 (``spoedlocatie_standen``) created them: both read models hold the same state.

History: never change these; a later revision alters the tables (locaties_0004 adds the
bounding box), as ``adapters/tables.py``'s ``_inhoud`` then says.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from shared.db.columns import bevoegd_gezag, status


def toestand() -> list[sa.Column[Any]]:
    return [
        bevoegd_gezag(),
        sa.Column("provincie", sa.String(2), nullable=False),
        sa.Column("gemeentecode", sa.String(4), nullable=False),
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("bodemtype", sa.String(20), nullable=False),
        status(),
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
    ]
