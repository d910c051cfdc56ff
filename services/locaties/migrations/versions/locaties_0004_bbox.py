"""Locaties: every site's bounding box in RD (four columns, both read models), indexed for the
map's bbox filter; filled from the stored geometries.

PostgreSQL gets a GiST index on the box (``box(point(min), point(max))``), which the filter's
``&&`` uses; SQLite a B-tree on the four columns (PostgreSQL too, up to locaties_0005).
PostgreSQL builds both ``CONCURRENTLY`` (``shared.db.migrations.maak_index``), after the
columns are filled and committed, so that writes to the tables go on while they build; a run
interrupted after that commit runs again from the start (``ADD COLUMN IF NOT EXISTS``, the fill
again, ``CREATE INDEX ... IF NOT EXISTS``).

Revision ID: locaties_0004
"""

import sqlalchemy as sa
from alembic import op

from services.locaties.domain.geometrie import omhullende
from shared.db.migrations import maak_index

revision = "locaties_0004"
down_revision = "locaties_0003"
branch_labels = None
depends_on = None

BBOX = ("min_x", "min_y", "max_x", "max_y")
KOLOMMEN = [f"bbox_{k}" for k in BBOX]
TABELLEN = {
    "spoedlocaties": ("ix_spoedlocaties_bbox", ["locatie_id"]),
    "spoedlocatie_standen": ("ix_standen_bbox", ["locatie_id", "geldig_vanaf", "versie_vanaf"]),
}
BOX = "box(point(bbox_min_x, bbox_min_y), point(bbox_max_x, bbox_max_y))"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for tabel, (index, sleutel) in TABELLEN.items():
        for kolom in KOLOMMEN:
            # Idempotent on PostgreSQL: a run interrupted after the fill's commit runs again.
            op.add_column(
                tabel, sa.Column(kolom, sa.Float, nullable=True), if_not_exists=postgresql or None
            )
        _vul(tabel, sleutel)
        if not postgresql:
            op.create_index(index, tabel, KOLOMMEN)
    if postgresql:
        for tabel, (index, _) in TABELLEN.items():
            maak_index(index, tabel, f"({', '.join(KOLOMMEN)})")
            maak_index(f"{index}_gist", tabel, f"USING gist ({BOX})")


def _vul(tabel: str, sleutel: list[str]) -> None:
    kolommen = [sa.column(c) for c in [*sleutel, *KOLOMMEN]]
    t = sa.table(tabel, sa.column("geometrie_rd", sa.JSON), *kolommen)
    conn = op.get_bind()
    zet = (
        sa.update(t)
        .where(*[t.c[c] == sa.bindparam(f"_{c}") for c in sleutel])
        .values({k: sa.bindparam(f"_{k}") for k in KOLOMMEN})
    )
    # Without a geometry the column holds JSON null (SQLAlchemy's default), not SQL NULL.
    rijen = conn.execute(sa.select(*[t.c[c] for c in sleutel], t.c.geometrie_rd.label("g")))
    # Read in parts and written as one executemany per part: a register of 400,000 sites
    # is not updated a round trip per row.
    for deel in rijen.mappings().partitions(5000):
        waarden = [
            {
                **{f"_{c}": r[c] for c in sleutel},
                **{f"_{k}": v for k, v in zip(KOLOMMEN, omhullende(r["g"]), strict=True)},
            }
            for r in deel
            if r["g"] is not None
        ]
        if waarden:
            conn.execute(zet, waarden)


def downgrade() -> None:
    for tabel, (index, _) in TABELLEN.items():
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP INDEX {index}_gist")
        op.drop_index(index, tabel)
        with op.batch_alter_table(tabel) as batch:
            for kolom in KOLOMMEN:
                batch.drop_column(kolom)
