"""Tables of the locaties service besides the shared core (migrations create them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from shared.db.columns import bevoegd_gezag, locatie_id, status, tijdstip, versie

metadata = MetaData()


def _inhoud() -> list[Column[Any]]:
    """The columns of a site's state (the API representation, filterable)."""
    return [
        bevoegd_gezag(),
        Column("provincie", String(2), nullable=False),
        Column("gemeentecode", String(4), nullable=False),
        Column("naam", String(200), nullable=False),
        Column("bodemtype", String(20), nullable=False),
        status(),
        Column("status_sinds", Date, nullable=False),
        Column("registratiedatum", Date, nullable=False),
        Column("afgehandeld_op", Date, nullable=True),
        Column("risico_humaan", Boolean, nullable=False),
        Column("risico_ecologisch", Boolean, nullable=False),
        Column("risico_verspreiding", Boolean, nullable=False),
        Column("risicos", JSON, nullable=False),
        Column("knelpunt", String(20), nullable=True),
        Column("budget_euro", BigInteger, nullable=False),
        Column("kosten_euro", BigInteger, nullable=False),
        Column("verontreinigingsgroepen", JSON, nullable=False),
        Column("geometrie_rd", JSON, nullable=True),
        # The geometry's bounding box in RD metres (geometrie.omhullende), for the map's bbox
        # filter; empty without a geometry.
        *[Column(f"bbox_{k}", Float, nullable=True) for k in BBOX],
    ]


BBOX = ("min_x", "min_y", "max_x", "max_y")


# Current state of every site, kept in the same transaction as its events: the list endpoint
# filters and pages here instead of replaying streams. Derived data: rebuildable from events.
spoedlocaties = Table(
    "spoedlocaties",
    metadata,
    locatie_id(primary_key=True),
    *_inhoud(),
    versie(),
    tijdstip("bijgewerkt_op"),
    Index("ix_spoedlocaties_bg_status", "bevoegd_gezag", "status"),
    Index("ix_spoedlocaties_status", "status"),
    # SQLite's index for the bbox filter; PostgreSQL has an SP-GiST index on the box instead
    # (locaties_0005 dropped this one there), which is the one its filter uses.
    Index("ix_spoedlocaties_bbox", *[f"bbox_{k}" for k in BBOX]),
)

# Bitemporal history of every site's state, kept in the same transaction as its events: a row
# holds from ``geldig_vanaf`` until ``geldig_tot`` in business time (peildatum), and was known
# from ``bekend_vanaf`` until ``bekend_tot`` in record time (kennisdatum). A new event closes
# (sets ``bekend_tot`` on) the rows it made untrue and adds the rows it made true; nothing is
# ever overwritten otherwise. The historic list filters and pages here. Derived data.
spoedlocatie_standen = Table(
    "spoedlocatie_standen",
    metadata,
    locatie_id(primary_key=True),
    Column("geldig_vanaf", Date, primary_key=True),
    Column("versie_vanaf", Integer, primary_key=True),
    Column("geldig_tot", Date, nullable=True),
    tijdstip("bekend_vanaf"),
    tijdstip("bekend_tot", nullable=True),
    *_inhoud(),
    Index("ix_standen_geldig", "geldig_vanaf", "geldig_tot"),
    # Not ``bekend_tot``, and on PostgreSQL a tenth of each page free: closing a row (setting
    # ``bekend_tot``) then changes no indexed column and can stay on its page, a HOT update
    # that writes no index entry (locaties_0006).
    Index("ix_standen_bekend_vanaf", "bekend_vanaf"),
    Index("ix_standen_bbox", *[f"bbox_{k}" for k in BBOX]),  # SQLite only, as above
    postgresql_with={"fillfactor": 90},
)

volgnummers = Table(
    "locatie_volgnummers",
    metadata,
    Column("prefix", String(6), primary_key=True),
    Column("laatste", Integer, nullable=False),
)
