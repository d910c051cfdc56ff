"""On PostgreSQL the bounding boxes are indexed by one SP-GiST index per table (locaties_0005):
the B-tree on the four columns, which only SQLite's filter uses, and the GiST index are gone
there; going down puts them back. (That the map's filter uses the SP-GiST index:
``test_kaart.py``.)"""

from __future__ import annotations

from sqlalchemy import Engine, text

from services.locaties.bootstrap import VERSIONS
from shared.db.migrations import alembic_config
from shared.privacy import VERSIONS as PERSONEN
from tests.support.infra import postgres_database
from tests.support.migraties import migreer

_BBOX = """
SELECT indexname FROM pg_indexes
WHERE tablename IN ('spoedlocaties', 'spoedlocatie_standen') AND indexname LIKE '%bbox%'
ORDER BY 1
"""
SPGIST = ["ix_spoedlocaties_bbox_spgist", "ix_standen_bbox_spgist"]


def _indexen(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(_BBOX)).scalars())


def test_postgresql_indexes_the_boxes_by_spgist_only_and_going_down_restores_gist_and_btree() -> (
    None
):
    with postgres_database([VERSIONS, PERSONEN]) as engine:
        assert _indexen(engine) == SPGIST
        cfg = alembic_config([VERSIONS, PERSONEN])
        migreer(engine, cfg, "downgrade", "locaties_0004")
        assert _indexen(engine) == [
            "ix_spoedlocaties_bbox",
            "ix_spoedlocaties_bbox_gist",
            "ix_standen_bbox",
            "ix_standen_bbox_gist",
        ]
        migreer(engine, cfg, "upgrade", "heads")
        assert _indexen(engine) == SPGIST
