"""Read models of the kennis service (kept in the same transaction as the events)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table, Text

from shared.db.columns import bevoegd_gezag, locatie_id, status, tijdstip, versie

metadata = MetaData()

kennisvragen = Table(
    "kennisvragen",
    metadata,
    Column("vraag_id", String(40), primary_key=True),
    Column("titel", String(300), nullable=False),
    Column("tekst", Text, nullable=False),
    Column("themas", JSON, nullable=False),
    Column("gesteld_door", String(200), nullable=False),
    Column("organisatie", String(2), nullable=True),
    Column("status", String(20), nullable=False),
    Column("antwoorden", JSON, nullable=False),
    Column("geaccepteerd", String(40), nullable=True),
    Column("groep_id", String(40), nullable=True),
    versie(),
    tijdstip("gesteld_op"),
    tijdstip("bijgewerkt_op"),
)


# Current status of every spoedlocatie, from bodem.spoedlocaties.v1: who leads the remediation.
k_locaties = Table(
    "k_locaties",
    metadata,
    locatie_id(primary_key=True),
    bevoegd_gezag(),
    status(),
)

# Every status a site had, with the business date it took it (the decision's date): who led
# the remediation on a peildatum. Rows from before there was one have no date.
locatie_standen = Table(
    "k_locatie_standen",
    metadata,
    Column("volgnummer", Integer, primary_key=True, autoincrement=True),
    locatie_id(),
    Column("datum", Date, nullable=True),
    bevoegd_gezag(),
    status(),
)

# Answers and successes per organisation, with the day they were given (koplopers).
bijdragen = Table(
    "k_bijdragen",
    metadata,
    Column("ref", String(40), primary_key=True),
    Column("soort", String(20), nullable=False),
    Column("organisatie", String(2), nullable=True),
    Column("datum", Date, nullable=True),
)

zoekindex = Table(
    "k_zoekindex",
    metadata,
    Column("ref", String(40), primary_key=True),
    Column("soort", String(30), nullable=False),
    Column("titel", String(300), nullable=False),
    Column("tekst", Text, nullable=False),
    Column("themas", JSON, nullable=False),
    Column("organisatie", String(2), nullable=True),
    tijdstip("vastgelegd_op"),
)

bijeenkomsten = Table(
    "k_bijeenkomsten",
    metadata,
    Column("bijeenkomst_id", String(40), primary_key=True),
    Column("datum", Date, nullable=False),
    Column("samenvatting", JSON, nullable=False),
)

experts = Table(
    "k_experts",
    metadata,
    Column("expert_id", String(40), primary_key=True),
    # Name and contact address are in the person store (record = expert_id), erasable.
    Column("persoon", String(40), nullable=True),
    Column("organisatie", String(2), nullable=True),
    Column("themas", JSON, nullable=False),
)
