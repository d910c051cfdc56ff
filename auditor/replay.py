"""Replay an exported log to rebuild the state at a peildatum/kennisdatum and recompute a
report, with the same fact reading and report code as the rapportage service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.rapportage.domain import lezen, rapporten
from services.rapportage.domain.feiten import Feit
from services.rapportage.domain.transitie import transitie
from shared.envelope import CloudEvent, EnvelopeError


def feiten(
    events: list[dict[str, Any]], lees: Callable[[CloudEvent], Feit] = lezen.naar_feit
) -> list[Feit]:
    """The facts of the first store in the log; events the service would dead-letter are
    skipped the same way, anchors are not facts."""
    uit: list[Feit] = []
    bron: str | None = None
    for ev in events:
        try:
            event = CloudEvent.from_dict(ev)
            if lezen.is_anker(event):
                continue
            store, _ = lezen.positie(event)
            bron = bron or store
            if store != bron:
                continue
            uit.append(lees(event))
        except (EnvelopeError, ValueError):
            continue
    return uit


def herspeel(
    events: list[dict[str, Any]],
    rapport: str,
    peildatum: date,
    positie: int,
    kennisdatum: date | None = None,
    van: date | None = None,
) -> rapporten.Rapport:
    """Recompute a report from the log of its stream (the kennis log for ``transitie``)."""
    if rapport == "transitie":
        return transitie(feiten(events, lezen.naar_kennisfeit), positie, peildatum, kennisdatum)
    toestand = rapporten.toestand_uit(feiten(events), positie, kennisdatum)
    return rapporten.bouw(rapport, toestand, positie, peildatum, kennisdatum, van)
