"""Locaties: on PostgreSQL the bounding box is indexed by its GiST index only.

locaties_0004 made a B-tree on the four box columns on every database and, on PostgreSQL, a
GiST index on the box as well. PostgreSQL asks the map's filter as box overlap (``&&``,
``routes_spoedlocaties.bbox_filter``), which only the GiST index answers; nothing else compares
the columns there. The B-tree was an entry per read-model row for nothing: ~1 row per imported
event in ``spoedlocatie_standen``, with the boxes in no order, so a random leaf page each
(~3-5 µs of server CPU a row). SQLite, which filters with the four comparisons, keeps it.

Revision ID: locaties_0005
"""

from alembic import op

revision = "locaties_0005"
down_revision = "locaties_0004"
branch_labels = None
depends_on = None

KOLOMMEN = [f"bbox_{k}" for k in ("min_x", "min_y", "max_x", "max_y")]
INDEXEN = {"spoedlocaties": "ix_spoedlocaties_bbox", "spoedlocatie_standen": "ix_standen_bbox"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for tabel, index in INDEXEN.items():
            op.drop_index(index, tabel)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for tabel, index in INDEXEN.items():
            op.create_index(index, tabel, KOLOMMEN)
