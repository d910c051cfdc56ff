"""Everything the locaties API can read, read once: every list page (now and on a peildatum),
every site (in CRS84 and RD) and its history. For tests that must show stored data never
breaks a read."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from shared.eventstore.tables import events


def aantal_events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def lees_alles(api: TestClient, headers: dict[str, str]) -> list[str]:
    """Read everything; returns the failures as text (empty when every read answered 200)."""
    fouten: list[str] = []
    ids: set[str] = set()
    for params in ({}, {"peildatum": "2012-12-31"}, {"kennisdatum": "2013-06-30"}):
        url: str | None = f"/v1/spoedlocaties?{'&'.join(f'{k}={v}' for k, v in params.items())}"
        for crs in ("OGC:CRS84", "EPSG:28992"):
            volgende = url
            while volgende:
                r = api.get(
                    volgende,
                    params={"pageSize": "3"} if volgende == url else None,
                    headers={**headers, "Accept-Crs": crs},
                )
                if r.status_code != 200:
                    fouten.append(f"GET {volgende} {crs}: {r.status_code} {r.text[:200]}")
                    break
                body = r.json()
                ids |= {s["locatieId"] for s in body["_embedded"]["spoedlocaties"]}
                volgende = body["_links"].get("next", {}).get("href")
    for locatie_id in sorted(ids):
        for pad in (
            f"/v1/spoedlocaties/{locatie_id}",
            f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen",
        ):
            for crs in ("OGC:CRS84", "EPSG:28992"):
                r = api.get(pad, headers={**headers, "Accept-Crs": crs})
                if r.status_code != 200:
                    fouten.append(f"GET {pad} {crs}: {r.status_code} {r.text[:200]}")
    if not ids:
        fouten.append("geen enkele locatie gelezen")
    return fouten
