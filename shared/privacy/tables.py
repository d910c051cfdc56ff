"""The person store's tables, in the database of each service that records people's actions.

``personen`` holds the pseudonym, the keyed lookup of the login (never the login) and when the
person was erased. ``persoon_sleutels`` holds each person's key (wrapped): the one table erasure
must reach, small enough to keep under a stricter backup regime than the rest. The encrypted
details live in ``persoon_gegevens``, one row per record (the account, an expert entry).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, LargeBinary, MetaData, String, Table

from shared.db.types import UtcDateTime

metadata = MetaData()

personen = Table(
    "personen",
    metadata,
    Column("pseudoniem", String(40), primary_key=True),
    Column("zoekwaarde", String(64), nullable=True, unique=True),
    Column("aangemaakt_op", UtcDateTime, nullable=False),
    Column("verwijderd_op", UtcDateTime, nullable=True),
)

persoon_sleutels = Table(
    "persoon_sleutels",
    metadata,
    Column("pseudoniem", String(40), ForeignKey("personen.pseudoniem"), primary_key=True),
    Column("sleutel", LargeBinary, nullable=False),
)

persoon_gegevens = Table(
    "persoon_gegevens",
    metadata,
    Column("pseudoniem", String(40), ForeignKey("personen.pseudoniem"), primary_key=True),
    Column("ref", String(60), primary_key=True),
    Column("versleuteld", LargeBinary, nullable=False),
)
