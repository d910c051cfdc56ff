"""The three tables of a source stream as rapportage_0001 (``r_``: the sites' stream) and
rapportage_0002 (``r_kennis_``: the knowledge platform's) created them: every event as a fact,
the source store with its watermark, and the positions processed above the watermark.

History: never change this; a later revision alters the tables.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from shared.db.columns import enige_rij, positie, tijdstip, versie


def stroom(
    metadata: sa.MetaData, prefix: str, onderwerp: sa.Column[Any]
) -> tuple[sa.Table, sa.Table, sa.Table]:
    """``onderwerp``: the fact's subject column, ``locatie_id`` (a site, or a kennis id)."""
    feiten = sa.Table(
        f"{prefix}feiten",
        metadata,
        positie(primary_key=True),
        onderwerp,
        versie(),
        sa.Column("soort", sa.String(100), nullable=False),
        tijdstip("vastgelegd_op"),
        sa.Column("data", sa.JSON, nullable=False),
    )
    bron = sa.Table(
        f"{prefix}bron",
        metadata,
        enige_rij(),
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("watermark", sa.BigInteger, nullable=False),
    )
    verwerkt = sa.Table(f"{prefix}verwerkt", metadata, positie(primary_key=True))
    return feiten, bron, verwerkt
