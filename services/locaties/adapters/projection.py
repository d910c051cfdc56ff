"""Keeps the read models in step with the aggregates a command changed: the current state
(``spoedlocaties``) and the bitemporal history (``spoedlocatie_standen``).

The bitemporal rows are folded here from the site's recorded events (``locatie.history``,
decoded, in version order) with the domain's pure step (``services/locaties/domain/standen.py``);
the aggregate keeps no view of other moments, only its current state (the same fold), which the
current row shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from services.locaties.adapters import projection_pg
from services.locaties.adapters.tables import BBOX, spoedlocatie_standen, spoedlocaties
from services.locaties.domain import standen
from services.locaties.domain.events import RegistratieGecorrigeerd
from services.locaties.domain.geometrie import omhullende
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand
from shared import bevoegde_gezagen
from shared.eventstore.model import RecordedEvent
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import events
from shared.vocabulaire import AFGEHANDELD, RisicoType

BBOX_KOLOMMEN = tuple(f"bbox_{k}" for k in BBOX)


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
        **bbox_kolommen(stand.geometrie),
        "versie": versie,
        "bijgewerkt_op": datetime.now(UTC),
    }


# ``stand_rij``'s columns that depend on the state alone (not the site id, version or time), in
# its order: the content of a ``spoedlocatie_standen`` row.
INHOUD_KOLOMMEN: tuple[str, ...] = (
    "bevoegd_gezag",
    "provincie",
    "gemeentecode",
    "naam",
    "bodemtype",
    "status",
    "status_sinds",
    "registratiedatum",
    "afgehandeld_op",
    "risico_humaan",
    "risico_ecologisch",
    "risico_verspreiding",
    "risicos",
    "knelpunt",
    "budget_euro",
    "kosten_euro",
    "verontreinigingsgroepen",
    "geometrie_rd",
    *BBOX_KOLOMMEN,
)


class Inhoud:
    """``stand_rij``'s content columns (``INHOUD_KOLOMMEN``) of a state as a tuple, for the
    states of one site folded one after another (the bulk import's fold, ~8 a site): a state
    shares every field an event left alone with the one before it (``standen._met``), so the
    parts built from such a field (risks, status history, bounding box, authority) are taken
    from the previous call instead of built again. A test holds it equal to ``stand_rij``."""

    __slots__ = ("_geometrie", "_gezag", "_groepen", "_historie", "_risicos")

    def __init__(self) -> None:
        leeg: Any = object()  # matches no field, so the first call builds every part
        self._gezag: tuple[Any, tuple[str, str]] = (leeg, ("", ""))
        self._historie: tuple[Any, tuple[Any, Any, Any]] = (leeg, (None, None, None))
        self._risicos: tuple[Any, tuple[Any, ...]] = (leeg, ())
        self._groepen: tuple[Any, list[str]] = (leeg, [])
        self._geometrie: tuple[Any, tuple[Any, ...]] = (leeg, ())

    def __call__(self, stand: Toestand) -> tuple[Any, ...]:
        if self._gezag[0] is not stand.bevoegd_gezag:
            gezag = bevoegde_gezagen.get(stand.bevoegd_gezag)
            provincie = gezag.provincie if gezag else stand.bevoegd_gezag
            self._gezag = (stand.bevoegd_gezag, (stand.bevoegd_gezag, provincie))
        if self._historie[0] is not stand.statushistorie or self._historie[1][0] != stand.status:
            afgehandeld = (r.datum for r in stand.statushistorie if r.status in AFGEHANDELD)
            self._historie = (
                stand.statushistorie,
                (str(stand.status), stand.statushistorie[-1].datum, next(afgehandeld, None)),
            )
        if self._risicos[0] is not stand.risicos:
            self._risicos = (stand.risicos, _risicodelen(stand.risicos))
        if self._groepen[0] is not stand.verontreinigingsgroepen:
            self._groepen = (stand.verontreinigingsgroepen, list(stand.verontreinigingsgroepen))
        if self._geometrie[0] is not stand.geometrie:
            bbox = bbox_kolommen(stand.geometrie)
            self._geometrie = (stand.geometrie, (stand.geometrie, *bbox.values()))
        status, status_sinds, afgehandeld_op = self._historie[1]
        return (
            *self._gezag[1],
            stand.gemeentecode,
            stand.naam,
            stand.bodemtype,
            status,
            status_sinds,
            stand.registratiedatum,
            afgehandeld_op,
            *self._risicos[1],
            str(stand.knelpunt) if stand.knelpunt else None,
            stand.budget_euro,
            stand.kosten_euro,
            self._groepen[1],
            *self._geometrie[1],
        )


def _risicodelen(risicos: Mapping[RisicoType, Any]) -> tuple[Any, ...]:
    """``risico_humaan``, ``risico_ecologisch``, ``risico_verspreiding`` and ``risicos``."""
    if not risicos:  # a site not assessed yet: what the lines below give, without their work
        return (False, False, False, [])

    def vastgesteld(soort: RisicoType) -> bool:
        r = risicos.get(soort)
        return bool(r and r.vastgesteld)

    return (
        vastgesteld(RisicoType.HUMAAN),
        vastgesteld(RisicoType.ECOLOGISCH),
        vastgesteld(RisicoType.VERSPREIDING),
        [
            {
                "risicotype": str(soort),
                "vastgesteld": r.vastgesteld,
                "criteria": list(r.criteria),
                "beoordelingsdatum": r.beoordelingsdatum.isoformat(),
            }
            for soort, r in sorted(risicos.items())
        ],
    )


def bbox_kolommen(geometrie_rd: dict[str, Any] | None) -> dict[str, float | None]:
    """The bbox columns of a row with this RD geometry (all empty without one)."""
    if geometrie_rd is None:
        return dict.fromkeys(BBOX_KOLOMMEN)
    return dict(zip(BBOX_KOLOMMEN, omhullende(geometrie_rd), strict=True))


# Built once, values as bind parameters: every command runs these, and building and compiling
# a statement per call cost more than executing it.
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
_NIEUW = insert(spoedlocatie_standen).returning(_t.locatie_id)
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
    """Write the site's current state; returns the row written."""
    values = rij(locatie)
    _schrijf_huidig(session, [values])
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


# A site and its new events (in version order; none when the command only read it).
Wijziging = tuple[Spoedlocatie, list[RecordedEvent]]


def projecteer(session: Session, wijzigingen: Sequence[Wijziging]) -> None:
    """Bring both read models up to date with the ``wijzigingen`` of one or many commands (a
    group-commit batch), in a few statements whatever their number: one upsert of the current
    rows, one that closes the open ``standen`` rows, one that inserts the new ones (and, rarely,
    one that reopens a row); on PostgreSQL one statement does all three for the common case
    (``_ronde_pg``). A site changed twice is written in order, one round per change.

    The bitemporal rows: the common case, one event dated on or after the site's last business
    date and no correction, only touches the open row (``geldig_tot`` and ``bekend_tot`` empty):
    the past stays as it was, so replaying the history would find the same rows. Anything else
    (an event dated before the last one, a correction, several events at once) replays the
    site's history (``_herbereken``)."""
    for ronde in _rondes(wijzigingen):
        _projecteer_ronde(session, ronde)


def werk_standen_bij(
    session: Session,
    locatie: Spoedlocatie,
    nieuw: list[RecordedEvent],
    huidig: dict[str, Any] | None = None,
) -> None:
    """Bring the site's bitemporal rows (only) up to date with its ``nieuw`` events (in version
    order), as ``projecteer`` does. ``huidig`` is the site's current read-model row when the
    caller already built it."""
    _standen(
        session, [(locatie, nieuw)], {locatie.id: huidig if huidig is not None else rij(locatie)}
    )


def _rondes(wijzigingen: Sequence[Wijziging]) -> list[list[Wijziging]]:
    """Split into rounds with each site at most once (a multi-row upsert may touch a row only
    once), keeping every site's changes in order."""
    rondes: list[list[Wijziging]] = []
    per_site: dict[str, int] = {}
    for wijziging in wijzigingen:
        n = per_site.get(wijziging[0].id, 0)
        per_site[wijziging[0].id] = n + 1
        if n == len(rondes):
            rondes.append([])
        rondes[n].append(wijziging)
    return rondes


def _projecteer_ronde(session: Session, ronde: list[Wijziging]) -> None:
    if _postgresql(session):
        _ronde_pg(session, ronde)
    else:
        _ronde_algemeen(session, ronde)


def _ronde_algemeen(session: Session, ronde: list[Wijziging]) -> None:
    """A round in a few statements on any database: the current rows, the open rows closed
    (read back), the new rows."""
    huidig = {locatie.id: rij(locatie) for locatie, _ in ronde}
    _schrijf_huidig(session, list(huidig.values()))
    _standen(session, ronde, huidig)


def _ronde_pg(session: Session, ronde: list[Wijziging]) -> None:
    """A round in one statement on PostgreSQL (``projection_pg.projecteer_ronde``) for the
    common case: the current rows, and each site whose one new event is dated after its open
    row's date has that row closed, copied as the closed interval and followed by the new open
    row, without the closed row travelling to Python and back. A site whose open row turns out
    to carry the event's own date (or a later one, or none), or JSON other than the new state's
    text (the event changed that column, or the bulk import wrote the row), is left to
    ``_standen`` after it; the replays come last, as in ``_standen``."""
    nu = datetime.now(UTC)  # ``stand_rij``'s bijgewerkt_op, once for the round
    rijen = []
    verlengen: dict[str, Wijziging] = {}
    herberekenen: list[Wijziging] = []
    for locatie, nieuw in ronde:
        soort, datum, bekend, versie_vanaf = projection_pg.ALLEEN_HUIDIG, None, None, None
        if len(nieuw) > 1 or (nieuw and not _incrementeel(locatie, nieuw[0])):
            herberekenen.append((locatie, nieuw))
        elif nieuw:
            event = nieuw[0]
            soort = projection_pg.OPEN if event.version == 1 else projection_pg.VERLENG
            datum, bekend, versie_vanaf = event.occurred_at.date(), event.recorded_at, event.version
            if soort == projection_pg.VERLENG:
                verlengen[locatie.id] = (locatie, nieuw)
        inhoud = Inhoud()(locatie.stand)
        rijen.append(
            projection_pg.ronde_rij(
                locatie.id, locatie.version, nu, soort, datum, bekend, versie_vanaf, inhoud
            )
        )
    terug = projection_pg.projecteer_ronde(session, rijen)
    for locatie_id, gesloten in terug.items():
        if gesloten > 1:
            raise RuntimeError(f"{locatie_id}: meer dan een open stand")
    if terug:
        # All in one go: a few statements whatever their number.
        algemeen = [verlengen[locatie_id] for locatie_id in terug]
        _standen(session, algemeen, {locatie.id: rij(locatie) for locatie, _ in algemeen})
    for locatie, nieuw in herberekenen:
        _herbereken(session, locatie, nieuw)


def _standen(session: Session, ronde: list[Wijziging], huidig: dict[str, dict[str, Any]]) -> None:
    """The bitemporal rows of a round's sites (each once); ``huidig`` their current rows."""
    nieuwe_rijen: list[dict[str, Any]] = []
    sluiten: list[tuple[Spoedlocatie, RecordedEvent, dict[str, Any]]] = []
    herberekenen: list[Wijziging] = []
    for locatie, nieuw in ronde:
        if not nieuw:
            continue
        event = nieuw[0]
        if len(nieuw) > 1 or not _incrementeel(locatie, event):
            herberekenen.append((locatie, nieuw))
            continue
        # With every event dated on or before the event's the state on that date is the
        # current one.
        nu = _inhoud(huidig[locatie.id])
        if event.version == 1:
            nieuwe_rijen.append(_open_rij(locatie, event, nu))
        else:
            sluiten.append((locatie, event, nu))
    # Close the open rows in the statement that reads them (one round trip): each is the row
    # of its site's last business date, so an event dated before that matches nothing and
    # replays.
    gesloten = _sluit_open(
        session, [(x.id, e.occurred_at.date(), e.recorded_at) for x, e, _ in sluiten]
    )
    heropenen: list[dict[str, Any]] = []
    for locatie, event, nu in sluiten:
        rijen = gesloten.get(locatie.id, [])
        if len(rijen) != 1:
            if rijen:
                raise RuntimeError(f"{locatie.id}: meer dan een open stand")
            herberekenen.append((locatie, [event]))
            continue
        oud = rijen[0]
        laatste = oud["geldig_vanaf"]
        oude_inhoud = {k: oud[k] for k in nu}
        datum = event.occurred_at.date()
        if laatste == datum and oude_inhoud == nu:
            # The event changed nothing the rows show: the replay would leave the row open.
            heropenen.append({"_id": locatie.id, "_vanaf": laatste, "_versie": oud["versie_vanaf"]})
            continue
        if laatste < datum:
            # The last interval now ends at the new date; its content stays as it was.
            gesloten_rij = {**_open_rij(locatie, event, oude_inhoud), "geldig_vanaf": laatste}
            nieuwe_rijen.append({**gesloten_rij, "geldig_tot": datum})
        nieuwe_rijen.append(_open_rij(locatie, event, nu))
    if heropenen:
        session.execute(_HEROPEN, heropenen)
    if nieuwe_rijen and _postgresql(session):
        projection_pg.voeg_standen_toe(session, nieuwe_rijen)
    elif nieuwe_rijen:
        # RETURNING makes SQLAlchemy send the rows as one multi-row INSERT ("insertmanyvalues")
        # instead of one statement per row.
        session.execute(_NIEUW, nieuwe_rijen).all()
    for locatie, nieuw in herberekenen:
        _herbereken(session, locatie, nieuw)


def _inhoud(waarden: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in waarden.items() if k not in ("locatie_id", "versie", "bijgewerkt_op")}


def _incrementeel(locatie: Spoedlocatie, event: RecordedEvent) -> bool:
    """Whether the open row may be extended (else the history replays). Every command but a
    correction records its business date as ``occurred_at`` (``Spoedlocatie._neem_op``), so the
    event's date needs no decoding."""
    return event.event_type != RegistratieGecorrigeerd.TYPE and event.version == len(
        locatie.history
    )


def _open_rij(
    locatie: Spoedlocatie, event: RecordedEvent, inhoud: dict[str, Any]
) -> dict[str, Any]:
    return {
        "locatie_id": locatie.id,
        "versie_vanaf": event.version,
        "bekend_vanaf": event.recorded_at,
        "geldig_vanaf": event.occurred_at.date(),
        "geldig_tot": None,
        **inhoud,
    }


def _schrijf_huidig(session: Session, rijen: list[dict[str, Any]]) -> None:
    """The current rows, of distinct sites, in one upsert."""
    if rijen and _postgresql(session):
        projection_pg.schrijf_huidig(session, rijen)
    elif rijen:
        session.execute(_huidig_upsert(session.get_bind().dialect.name), rijen).all()


@lru_cache(maxsize=4)
def _huidig_upsert(dialect: str) -> ReturningInsert[Any]:
    maak = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = maak(spoedlocaties)
    return statement.on_conflict_do_update(
        index_elements=[spoedlocaties.c.locatie_id],
        set_={
            c.name: statement.excluded[c.name] for c in spoedlocaties.c if c.name != "locatie_id"
        },
    ).returning(spoedlocaties.c.locatie_id)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _sluit_open(
    session: Session, sluiten: list[tuple[str, date, datetime]]
) -> Mapping[str, list[Mapping[Any, Any]]]:
    """Close each site's open row dated on or before its date (``bekend_tot`` = the record
    time); returns the closed rows per site."""
    if not sluiten:
        return {}
    if _postgresql(session):
        return projection_pg.sluit_open(session, sluiten)
    gesloten: dict[str, list[Mapping[Any, Any]]] = defaultdict(list)
    for locatie_id, datum, tot in sluiten:  # SQLite: in process, no round trips to save
        for row in session.execute(_SLUIT_OPEN, {"_id": locatie_id, "_datum": datum, "_tot": tot}):
            gesloten[locatie_id].append(row._mapping)
    return gesloten


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
