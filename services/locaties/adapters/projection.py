"""Keeps the ``spoedlocaties`` read model in step with the aggregates a command changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, update
from sqlalchemy.orm import Session

from services.locaties.adapters.tables import spoedlocaties
from services.locaties.domain.model import Spoedlocatie
from shared import bevoegde_gezagen
from shared.vocabulaire import RisicoType


def rij(locatie: Spoedlocatie) -> dict[str, Any]:
    t = locatie.t
    gezag = bevoegde_gezagen.get(t.bevoegd_gezag)

    def risico(soort: RisicoType) -> bool:
        r = t.risicos.get(soort)
        return bool(r and r.vastgesteld)

    return {
        "locatie_id": locatie.id,
        "bevoegd_gezag": t.bevoegd_gezag,
        "provincie": gezag.provincie if gezag else t.bevoegd_gezag,
        "gemeentecode": t.gemeentecode,
        "naam": t.naam,
        "bodemtype": t.bodemtype,
        "status": str(t.status),
        "status_sinds": locatie.status_sinds,
        "registratiedatum": t.registratiedatum,
        "afgehandeld_op": locatie.afgehandeld_op,
        "risico_humaan": risico(RisicoType.HUMAAN),
        "risico_ecologisch": risico(RisicoType.ECOLOGISCH),
        "risico_verspreiding": risico(RisicoType.VERSPREIDING),
        "risicos": [
            {
                "risicotype": str(soort),
                "vastgesteld": r.vastgesteld,
                "criteria": list(r.criteria),
                "beoordelingsdatum": r.beoordelingsdatum.isoformat(),
            }
            for soort, r in sorted(t.risicos.items())
        ],
        "knelpunt": str(t.knelpunt) if t.knelpunt else None,
        "budget_euro": t.budget_euro,
        "kosten_euro": t.kosten_euro,
        "verontreinigingsgroepen": list(t.verontreinigingsgroepen),
        "geometrie_rd": t.geometrie,
        "versie": locatie.version,
        "bijgewerkt_op": datetime.now(UTC),
    }


def project(session: Session, locatie: Spoedlocatie) -> None:
    values = rij(locatie)
    result = cast(
        CursorResult[Any],
        session.execute(
            update(spoedlocaties).where(spoedlocaties.c.locatie_id == locatie.id).values(**values)
        ),
    )
    if not result.rowcount:
        session.execute(insert(spoedlocaties).values(**values))
