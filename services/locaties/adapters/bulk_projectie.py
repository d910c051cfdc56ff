"""The read models for a batch of many sites at once (bulk import): the same rows as
``projection.project`` and ``projection.werk_standen_bij`` write command by command, in a few
statements per batch instead of several per event (rows by binary COPY, ``shared.db.kopie``).

The bitemporal rows of a site whose whole history is new in the batch are worked out in memory
with the incremental step of ``projection._verleng`` applied event after event, which is what
the single commands would have left behind one command at a time. A site with history before
the batch, or with a correction or a back-dated event among the new ones, goes through
``werk_standen_bij`` as it is (the rare case in an import: a batch boundary, a correction).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from services.locaties.adapters.projection import rij, stand_rij, werk_standen_bij
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain.events import RegistratieGecorrigeerd
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand, stap
from shared.db.bulk import verwijder
from shared.db.kopie import kopieer_rijen
from shared.eventstore.model import RecordedEvent

_NIET_INHOUD = ("locatie_id", "versie", "bijgewerkt_op")


def projecteer(session: Session, sites: Sequence[tuple[Spoedlocatie, list[RecordedEvent]]]) -> None:
    """Bring both read models up to date with each site's new events (in version order)."""
    if not sites:
        return
    ids = [locatie.id for locatie, _ in sites]
    verwijder(session, spoedlocaties, spoedlocaties.c.locatie_id, ids)
    kopieer_rijen(session, spoedlocaties, [rij(locatie) for locatie, _ in sites])
    standen: list[dict[str, Any]] = []
    for locatie, nieuw in sites:
        rijen = _standen_in_geheugen(locatie, nieuw)
        if rijen is None:
            werk_standen_bij(session, locatie, nieuw)
        else:
            standen += rijen
    kopieer_rijen(session, spoedlocatie_standen, standen)


def _standen_in_geheugen(
    locatie: Spoedlocatie, nieuw: list[RecordedEvent]
) -> list[dict[str, Any]] | None:
    """The rows of a site whose history is all in ``nieuw``, as ``_verleng`` would leave them
    after each event in turn; None when that step does not apply (use the general path)."""
    if not nieuw or nieuw[0].version != 1 or len(nieuw) != len(locatie.history):
        return None
    stand = Toestand()
    rijen: list[dict[str, Any]] = []
    open_: dict[str, Any] | None = None
    for recorded, event in zip(nieuw, locatie.history, strict=True):
        if isinstance(event, RegistratieGecorrigeerd):
            return None
        datum = recorded.occurred_at.date()
        if open_ is not None and datum < open_["geldig_vanaf"]:
            return None  # back-dated: the replay decides
        # The aggregate's own step (``Spoedlocatie.when`` without a correction), folded here
        # without an aggregate around it.
        stand = stap(stand, event)
        nu = {
            k: v
            for k, v in stand_rij(locatie.id, recorded.version, stand).items()
            if k not in _NIET_INHOUD
        }
        sleutel = {
            "locatie_id": locatie.id,
            "versie_vanaf": recorded.version,
            "bekend_vanaf": recorded.recorded_at,
            "bekend_tot": None,
        }
        if open_ is None:
            open_ = {**sleutel, "geldig_vanaf": datum, "geldig_tot": None, **nu}
            rijen.append(open_)
            continue
        laatste = open_["geldig_vanaf"]
        if laatste == datum and all(open_[k] == v for k, v in nu.items()):
            continue  # the event changed nothing the rows show
        open_["bekend_tot"] = recorded.recorded_at
        if laatste < datum:
            oud = {k: open_[k] for k in nu}
            rijen.append({**sleutel, "geldig_vanaf": laatste, "geldig_tot": datum, **oud})
        open_ = {**sleutel, "geldig_vanaf": datum, "geldig_tot": None, **nu}
        rijen.append(open_)
    return rijen
