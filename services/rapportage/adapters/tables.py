"""Read models of the rapportage service (created by its migrations).

Per source stream three tables: every event as a fact (upcast to the current schema) keyed by its
global position; the source store and the watermark (every position up to it has been processed,
so a report built from facts up to the watermark is a consistent prefix of the log); and the
positions processed above the watermark (events from partitions that ran ahead).

And two that bind a report to the log it was built from: the chain hash of every processed
position (anchors and dead letters included, since a report's position can be any of them),
and the log's anchors (position, root, key id and signature).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, MetaData, String, Table, Text

from shared.db.columns import enige_rij, positie, tijdstip, versie

metadata = MetaData()


def _stroom(prefix: str, onderwerp_lengte: int) -> tuple[Table, Table, Table]:
    feiten = Table(
        f"{prefix}feiten",
        metadata,
        positie(primary_key=True),
        # The subject of the event: a spoedlocatie, or a question, meeting, ... of kennis.
        Column("locatie_id", String(onderwerp_lengte), nullable=False),
        versie(),
        Column("soort", String(100), nullable=False),
        tijdstip("vastgelegd_op"),
        Column("data", JSON, nullable=False),
    )
    bron = Table(
        f"{prefix}bron",
        metadata,
        enige_rij(),
        Column("store_id", String(36), nullable=False),
        Column("watermark", BigInteger, nullable=False),
    )
    verwerkt = Table(
        f"{prefix}verwerkt",
        metadata,
        positie(primary_key=True),
    )
    return feiten, bron, verwerkt


def _binding(prefix: str) -> tuple[Table, Table]:
    zegels = Table(
        f"{prefix}zegels",
        metadata,
        positie(primary_key=True),
        Column("hash", String(64), nullable=False),
    )
    ankers = Table(
        f"{prefix}ankers",
        metadata,
        # The anchor event's own position; it anchors the log up to ``tot_en_met``.
        positie(primary_key=True),
        Column("tot_en_met", BigInteger, nullable=False),
        Column("merkle_root", String(64), nullable=False),
        Column("sleutel_id", String(64), nullable=True),
        Column("handtekening", String(200), nullable=True),
    )
    return zegels, ankers


feiten, bron, verwerkt = _stroom("r_", 11)
# The typed columns of a spoedlocaties fact (domain/feitkolommen.getypeerd, migration
# rapportage_0006): what the start reads instead of the JSON where a fact has them, and the
# record time in microseconds since 1970 UTC (instead of computing it from the timestamp).
for _kolom in (
    Column("datum", Text),
    Column("tekst", Text),
    Column("getal", BigInteger),
    Column("vastgelegd_us", BigInteger),
):
    feiten.append_column(_kolom)
Index("ix_r_feiten_locatie", feiten.c.locatie_id, feiten.c.versie)
kennis_feiten, kennis_bron, kennis_verwerkt = _stroom("r_kennis_", 40)
zegels, ankers = _binding("r_")
kennis_zegels, kennis_ankers = _binding("r_kennis_")

# The snapshot of the timelines this service last wrote (adapters/momentopname.py): the
# position it holds, the log's chain hash there and the SHA-256 of the file. A file that does
# not match this row, or a row that does not match the log, is not loaded.
momentopname = Table(
    "r_momentopname",
    metadata,
    enige_rij(),
    positie(),
    Column("hash", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
)
