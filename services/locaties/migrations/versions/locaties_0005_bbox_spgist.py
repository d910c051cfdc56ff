"""Locaties: on PostgreSQL the bounding box is indexed by one SP-GiST index per table, instead
of a GiST index and a B-tree.

locaties_0004 made a B-tree on the four box columns on every database and, on PostgreSQL, a
GiST index on the box as well. PostgreSQL asks the map's filter as box overlap (``&&``,
``routes_spoedlocaties.bbox_filter``) and nothing else compares the columns there, so:

- the B-tree served only SQLite's filter (four comparisons) and is dropped on PostgreSQL;
- the GiST index becomes an SP-GiST index on the same expression, which answers ``&&`` as well
  (``box_ops``, a quad tree) and costs an insert far less: 200,000 boxes in no order took
  ~4.5 s of index time with GiST against ~1.3 s with SP-GiST (``INSERT ... SELECT``, the shared
  2-core machine). Every read-model row pays it: ~1 per imported event in
  ``spoedlocatie_standen``, one per command in ``spoedlocaties`` (its status is indexed, so
  that update is never HOT).

SQLite keeps its B-tree.

On a database that holds rows the indexes are built and dropped ``CONCURRENTLY``
(``shared.db.migrations.maak_index``): the new index first, then the old ones, so that writes
to both tables go on and the filter has an index throughout. The result is the same.

Revision ID: locaties_0005
"""

from alembic import op

from shared.db.migrations import maak_index, verwijder_index

revision = "locaties_0005"
down_revision = "locaties_0004"
branch_labels = None
depends_on = None

KOLOMMEN = [f"bbox_{k}" for k in ("min_x", "min_y", "max_x", "max_y")]
INDEXEN = {"spoedlocaties": "ix_spoedlocaties_bbox", "spoedlocatie_standen": "ix_standen_bbox"}
BOX = "box(point(bbox_min_x, bbox_min_y), point(bbox_max_x, bbox_max_y))"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for tabel, index in INDEXEN.items():
        maak_index(f"{index}_spgist", tabel, f"USING spgist ({BOX})")
        verwijder_index(f"{index}_gist")
        verwijder_index(index)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for tabel, index in INDEXEN.items():
        maak_index(f"{index}_gist", tabel, f"USING gist ({BOX})")
        maak_index(index, tabel, f"({', '.join(KOLOMMEN)})")
        verwijder_index(f"{index}_spgist")
