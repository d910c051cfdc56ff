"""The historic list at national scale: ``GET /v1/spoedlocaties?peildatum=..&kennisdatum=..``
runs a count and one page over ``spoedlocatie_standen`` (the bitemporal history the locaties
service keeps with every command). This fills that table on PostgreSQL with synthetic sites
(8 business-date intervals each, one in ten corrected later: a closed row and its successor)
and times the route's own queries (count + first page, and a page deep in the list) for a
moment in the past, with and without a status filter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

from services.locaties.adapters.tables import spoedlocatie_standen
from services.locaties.entrypoints.routes_spoedlocaties import pagina, tijdfilters
from shared.db.engine import make_session_factory
from tests.support.infra import postgres_database

STATUSSEN = (
    "potentieel-spoed",
    "onderzocht",
    "ernstig-spoed",
    "saneringsplan",
    "sanering-gestart",
    "gesaneerd",
    "nazorg",
    "nazorg",
)

VUL = """
INSERT INTO spoedlocatie_standen
SELECT 'ZH' || lpad(s::text, 9, '0'),
       date '2009-01-01' + (k * 240 + s % 200),
       k + 1,
       CASE WHEN k < 7 THEN date '2009-01-01' + ((k + 1) * 240 + s % 200) END,
       timestamptz '2009-01-01' + make_interval(days => k * 240 + s % 200 + 20),
       NULL,
       'ZH', 'ZH', '0513', 'Locatie ' || s, 'landbodem',
       (CAST(:statussen AS text[]))[k + 1],
       date '2009-01-01' + (k * 240 + s % 200),
       date '2009-01-01' + (s % 200),
       NULL, k > 1, false, k > 2, '[]'::json, NULL, 10000 * k, 5000 * k, '["pak"]'::json, NULL
FROM generate_series(1, :sites) AS s, generate_series(0, 7) AS k
"""

# One site in ten: its third interval corrected two years later (closed, and a successor).
CORRIGEER = """
WITH oud AS (
    UPDATE spoedlocatie_standen
    SET bekend_tot = bekend_vanaf + interval '730 days'
    WHERE versie_vanaf = 3 AND right(locatie_id, 1) = '7'
    RETURNING *
)
INSERT INTO spoedlocatie_standen
SELECT locatie_id, geldig_vanaf, 9, geldig_tot, bekend_tot, NULL, bevoegd_gezag, provincie,
       gemeentecode, naam, bodemtype, status, status_sinds, registratiedatum, afgehandeld_op,
       risico_humaan, risico_ecologisch, risico_verspreiding, risicos, knelpunt, budget_euro + 1,
       kosten_euro, verontreinigingsgroepen, geometrie_rd
FROM oud
"""


def _vul(engine: Engine, sites: int) -> int:
    with engine.begin() as conn:
        conn.execute(text(VUL), {"sites": sites, "statussen": list(STATUSSEN)})
        conn.execute(text(CORRIGEER))
        conn.execute(text("ANALYZE spoedlocatie_standen"))
        return int(conn.execute(text("SELECT count(*) FROM spoedlocatie_standen")).scalar_one())


def _tijd(engine: Engine, herhaal: int, **kwargs: Any) -> tuple[float, int]:
    sessions = make_session_factory(engine)
    status = kwargs.pop("status", None)
    pagina_nr = kwargs.pop("page", 1)
    filters = tijdfilters(**kwargs)
    if status:
        filters.append(spoedlocatie_standen.c.status == status)
    tijden = []
    for _ in range(herhaal):
        start = time.perf_counter()
        with sessions() as session:
            total, _ = pagina(session, spoedlocatie_standen, filters, pagina_nr, 20)
        tijden.append(time.perf_counter() - start)
    return statistics.median(tijden), total


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--herhaal", type=int, default=5)
    args = parser.parse_args(argv)
    from services.locaties.bootstrap import VERSIONS

    with postgres_database([VERSIONS]) as engine:
        start = time.perf_counter()
        rijen = _vul(engine, args.sites)
        uitslag: dict[str, Any] = {
            "sites": args.sites,
            "rijen": rijen,
            "vullen_s": time.perf_counter() - start,
        }
        moment: dict[str, Any] = {"peildatum": date(2012, 12, 31), "kennisdatum": date(2013, 2, 1)}
        metingen: dict[str, dict[str, Any]] = {
            "nu": {"peildatum": None, "kennisdatum": None},
            "toen": moment,
            "toen_status": {**moment, "status": "gesaneerd"},
            "toen_diep": {**moment, "page": args.sites // 40},
        }
        for naam, kwargs in metingen.items():
            s, total = _tijd(engine, args.herhaal, **kwargs)
            uitslag[f"{naam}_s"], uitslag[f"{naam}_totaal"] = s, total
    print(json.dumps(uitslag, indent=2))
    return uitslag


if __name__ == "__main__":
    main()
