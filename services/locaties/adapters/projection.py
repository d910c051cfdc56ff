"""Keeps the read models in step with the aggregates a command changed: the current state
(``spoedlocaties``) and the bitemporal history (``spoedlocatie_standen``).

The bitemporal rows are folded here from the site's recorded events (``locatie.history``,
decoded, in version order) with the domain's pure step (``services/locaties/domain/standen.py``);
the aggregate keeps no view of other moments, only its current state (the same fold), which the
current row shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain import standen
from services.locaties.domain.events import RegistratieGecorrigeerd
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand
from shared import bevoegde_gezagen
from shared.eventstore.model import RecordedEvent
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import events
from shared.vocabulaire import AFGEHANDELD, RisicoType


def rij(locatie: Spoedlocatie) -> dict[str, Any]:
    """The read-model row of the site's current state: the aggregate's own, which is the same
    fold of the same events (``standen.huidig``), kept so a command need not fold again."""
    return stand_rij(locatie.id, locatie.version, locatie.stand)


def stand_rij(locatie_id: str, versie: int, stand: Toestand) -> dict[str, Any]:
    """The read-model row of ``stand``, the site's state after version ``versie``."""
    gezag = bevoegde_gezagen.get(stand.bevoegd_gezag)

    def risico(soort: RisicoType) -> bool:
        r = stand.risicos.get(soort)
        return bool(r and r.vastgesteld)

    afgehandeld = (r.datum for r in stand.statushistorie if r.status in AFGEHANDELD)
    return {
        "locatie_id": locatie_id,
        "bevoegd_gezag": stand.bevoegd_gezag,
        "provincie": gezag.provincie if gezag else stand.bevoegd_gezag,
        "gemeentecode": stand.gemeentecode,
        "naam": stand.naam,
        "bodemtype": stand.bodemtype,
        "status": str(stand.status),
        "status_sinds": stand.statushistorie[-1].datum,
        "registratiedatum": stand.registratiedatum,
        "afgehandeld_op": next(afgehandeld, None),
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
            for soort, r in sorted(stand.risicos.items())
        ],
        "knelpunt": str(stand.knelpunt) if stand.knelpunt else None,
        "budget_euro": stand.budget_euro,
        "kosten_euro": stand.kosten_euro,
        "verontreinigingsgroepen": list(stand.verontreinigingsgroepen),
        "geometrie_rd": stand.geometrie,
        "versie": versie,
        "bijgewerkt_op": datetime.now(UTC),
    }


# Built once, values as bind parameters: every command runs these, and building and compiling
# a statement per call cost more than executing it.
_HUIDIG = (
    update(spoedlocaties)
    .where(spoedlocaties.c.locatie_id == bindparam("_id"))
    .values({c.name: bindparam(c.name, type_=c.type) for c in spoedlocaties.c})
)
_t = spoedlocatie_standen.c
_SLUIT_OPEN = (
    update(spoedlocatie_standen)
    .where(
        _t.locatie_id == bindparam("_id"),
        _t.geldig_tot.is_(None),
        _t.bekend_tot.is_(None),
        _t.geldig_vanaf <= bindparam("_datum", type_=_t.geldig_vanaf.type),
    )
    .values(bekend_tot=bindparam("_tot", type_=_t.bekend_tot.type))
    .returning(*spoedlocatie_standen.c)
)
_NIEUW = insert(spoedlocatie_standen)
_HEROPEN = (
    update(spoedlocatie_standen)
    .where(
        _t.locatie_id == bindparam("_id"),
        _t.geldig_vanaf == bindparam("_vanaf", type_=_t.geldig_vanaf.type),
        _t.versie_vanaf == bindparam("_versie"),
    )
    .values(bekend_tot=None)
)


def project(session: Session, locatie: Spoedlocatie) -> dict[str, Any]:
    """Write the site's current state; returns the row written (the open ``standen`` row
    reuses it)."""
    values = rij(locatie)
    result = cast(CursorResult[Any], session.execute(_HUIDIG, {**values, "_id": locatie.id}))
    if not result.rowcount:
        session.execute(insert(spoedlocaties).values(**values))
    return values


def tijdlijn(locatie_id: str, history: list[Any]) -> list[dict[str, Any]]:
    """The site's state per business-date interval, from its (decoded) events ``history``:
    rows with ``geldig_vanaf``/``geldig_tot`` and the content columns."""
    datums = standen.peildata(history)
    rijen = []
    for i, datum in enumerate(datums):
        stand = standen.op_peildatum(history, datum)
        if stand is None:
            continue
        inhoud = _inhoud(stand_rij(locatie_id, len(history), stand))
        tot = datums[i + 1] if i + 1 < len(datums) else None
        rijen.append({"geldig_vanaf": datum, "geldig_tot": tot, **inhoud})
    return rijen


def werk_standen_bij(
    session: Session,
    locatie: Spoedlocatie,
    nieuw: list[RecordedEvent],
    huidig: dict[str, Any] | None = None,
) -> None:
    """Bring the site's bitemporal rows up to date with its ``nieuw`` events (in version order).

    The common case, one event dated on or after the site's last business date and no
    correction, only touches the open row (``geldig_tot`` and ``bekend_tot`` empty): the past
    stays as it was, so replaying the history would find the same rows. Anything else (an event
    dated before the last one, a correction, several events at once) replays the history.
    ``huidig`` is the site's current read-model row when the caller already built it."""
    if not nieuw:
        return
    if len(nieuw) == 1 and _verleng(session, locatie, nieuw[0], huidig):
        return
    _herbereken(session, locatie, nieuw)


def _inhoud(waarden: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in waarden.items() if k not in ("locatie_id", "versie", "bijgewerkt_op")}


def _verleng(
    session: Session, locatie: Spoedlocatie, event: RecordedEvent, huidig: dict[str, Any] | None
) -> bool:
    """The incremental step; False when the event needs the replay."""
    if event.event_type == RegistratieGecorrigeerd.TYPE or event.version != len(locatie.history):
        return False
    # Every command but a correction records its business date as ``occurred_at``
    # (``Spoedlocatie._neem_op``), so the event's date needs no decoding.
    datum = event.occurred_at.date()
    # With every event dated on or before ``datum`` the state on ``datum`` is the current one.
    nu = _inhoud(huidig if huidig is not None else rij(locatie))
    sleutel = {
        "locatie_id": locatie.id,
        "versie_vanaf": event.version,
        "bekend_vanaf": event.recorded_at,
    }
    if event.version == 1:
        session.execute(_NIEUW, {**sleutel, "geldig_vanaf": datum, "geldig_tot": None, **nu})
        return True
    # Close the open row in the same statement that reads it (one round trip): it is the row
    # of the last business date, so an event dated before that matches nothing and replays.
    gesloten = session.execute(
        _SLUIT_OPEN, {"_id": locatie.id, "_datum": datum, "_tot": event.recorded_at}
    ).all()
    if len(gesloten) != 1:
        if gesloten:
            raise RuntimeError(f"{locatie.id}: meer dan een open stand")
        return False
    oud = gesloten[0]._mapping
    laatste = oud["geldig_vanaf"]
    oude_inhoud = {k: oud[k] for k in nu}
    if laatste == datum and oude_inhoud == nu:
        # The event changed nothing the rows show: the replay would leave the row open.
        session.execute(
            _HEROPEN, {"_id": locatie.id, "_vanaf": laatste, "_versie": oud["versie_vanaf"]}
        )
        return True
    toe = [{**sleutel, "geldig_vanaf": datum, "geldig_tot": None, **nu}]
    if laatste < datum:
        # The last interval now ends at the new date; its content stays as it was.
        toe.insert(0, {**sleutel, "geldig_vanaf": laatste, "geldig_tot": datum, **oude_inhoud})
    for nieuwe in toe:  # one or two rows: single statements beat the driver's executemany
        session.execute(_NIEUW, nieuwe)
    return True


def _herbereken(session: Session, locatie: Spoedlocatie, nieuw: list[RecordedEvent]) -> None:
    """Per new event (in version order): close the rows it made untrue (``bekend_tot`` = its
    record time) and add the rows it made true, by replaying the history before and after it.
    Rows still true are left alone."""
    vorige = tijdlijn(locatie.id, locatie.history[: nieuw[0].version - 1])
    for event in nieuw:
        huidige = tijdlijn(locatie.id, locatie.history[: event.version])
        for oud in vorige:
            if oud not in huidige:
                session.execute(
                    update(spoedlocatie_standen)
                    .where(
                        spoedlocatie_standen.c.locatie_id == locatie.id,
                        spoedlocatie_standen.c.geldig_vanaf == oud["geldig_vanaf"],
                        spoedlocatie_standen.c.bekend_tot.is_(None),
                    )
                    .values(bekend_tot=event.recorded_at)
                )
        toe = [r for r in huidige if r not in vorige]
        if toe:
            session.execute(
                insert(spoedlocatie_standen),
                [
                    {
                        **r,
                        "locatie_id": locatie.id,
                        "versie_vanaf": event.version,
                        "bekend_vanaf": event.recorded_at,
                    }
                    for r in toe
                ],
            )
        vorige = huidige


def herbouw_standen(session: Session, stream_type: str = Spoedlocatie.stream_type) -> int:
    """Fill ``spoedlocatie_standen`` from the event store (after the migration that adds it, or
    to repair it); returns the number of sites."""
    session.execute(delete(spoedlocatie_standen))
    store = SqlEventStore(session)
    ids = (
        session.execute(
            select(events.c.stream_id).where(events.c.stream_type == stream_type).distinct()
        )
        .scalars()
        .all()
    )
    n = 0
    for locatie_id in ids:
        recorded = store.load(locatie_id)
        locatie = Spoedlocatie(locatie_id)
        locatie.replay(recorded)
        if recorded:
            _herbereken(session, locatie, recorded)
        n += 1
    return n
