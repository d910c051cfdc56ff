"""locaties_0004 fills the bbox columns of sites recorded before it (both read models), from
their stored geometries, as the projection fills them for new ones; and goes down again."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from services.locaties.adapters.projection import BBOX_KOLOMMEN, bbox_kolommen
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.bootstrap import VERSIONS
from shared.db import migrations
from shared.db.migrations import alembic_config
from shared.privacy import VERSIONS as PERSONEN_VERSIONS
from tests.support.locaties import NIEUW, locaties_client, token
from tests.support.migraties import migreer

VEELHOEK = {
    "type": "Polygon",
    "coordinates": [[[4.35, 52.0], [4.37, 52.0], [4.37, 52.02], [4.35, 52.02], [4.35, 52.0]]],
}


def _bboxen(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            tabel.name: sorted(
                (
                    tuple(r)
                    for r in conn.execute(
                        select(tabel.c.locatie_id, *[tabel.c[k] for k in BBOX_KOLOMMEN])
                    )
                ),
                key=repr,
            )
            for tabel in (spoedlocaties, spoedlocatie_standen)
        }


def test_the_migration_fills_the_boxes_of_existing_sites(sql_engine: Engine) -> None:
    with locaties_client(sql_engine) as api:
        for geometrie in (VEELHOEK, None):
            body = {**NIEUW, **({"geometrie": geometrie} if geometrie else {})}
            assert api.post("/v1/spoedlocaties", json=body, headers=token()).status_code == 201
    verwacht = _bboxen(sql_engine)
    with sql_engine.connect() as conn:
        rd = conn.execute(select(spoedlocaties.c.geometrie_rd)).scalars().all()
    assert sorted((r[1:] for r in verwacht["spoedlocaties"]), key=repr) == sorted(
        (tuple(bbox_kolommen(g).values()) for g in rd), key=repr
    )
    assert any(r[1] is not None for r in verwacht["spoedlocaties"])

    cfg = alembic_config([VERSIONS, PERSONEN_VERSIONS])
    migreer(sql_engine, cfg, "downgrade", "locaties_0003")
    # As a service starts: on PostgreSQL a revision per transaction, indexes built online.
    migrations.upgrade(sql_engine, [VERSIONS, PERSONEN_VERSIONS])
    assert _bboxen(sql_engine) == verwacht


def test_a_site_without_box_is_outside_every_bbox(sql_engine: Engine) -> None:
    with locaties_client(sql_engine) as api:
        body = {**NIEUW, "geometrie": VEELHOEK}
        assert api.post("/v1/spoedlocaties", json=body, headers=token()).status_code == 201
        with sql_engine.begin() as conn:
            conn.execute(update(spoedlocaties).values(dict.fromkeys(BBOX_KOLOMMEN)))
        kader = {"bbox": "4.3,51.9,4.4,52.1"}
        antwoord = api.get("/v1/spoedlocaties", params=kader, headers=token())
        assert antwoord.headers["X-Total-Count"] == "0"
