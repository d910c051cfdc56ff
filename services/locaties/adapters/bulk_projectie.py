"""The read models for a batch of many sites at once (bulk import): the same rows as
``projection.project`` and ``projection.werk_standen_bij`` write command by command, in a few
statements per batch instead of several per event (rows by binary COPY, ``shared.db.kopie``).

The bitemporal rows of a site whose whole history is new in the batch are worked out in memory
with the incremental step of ``projection._verleng`` applied event after event, which is what
the single commands would have left behind one command at a time, less the rows the batch's
one record time makes empty (known from and until the same moment: no read can see them). A
site with history before
the batch, or with a correction or a back-dated event among the new ones, goes through
``werk_standen_bij`` as it is (the rare case in an import: a batch boundary, a correction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.locaties.adapters.projection import INHOUD_KOLOMMEN, Inhoud, werk_standen_bij
from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain.events import RegistratieGecorrigeerd
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand, stap
from shared.db.bulk import is_postgres, verwijder
from shared.db.kopie import kopieer
from shared.eventstore.model import RecordedEvent

# The rows as tuples in these column orders (no dict per row: the fold makes ~2 rows an event).
HUIDIG_KOLOMMEN = ("locatie_id", *INHOUD_KOLOMMEN, "versie", "bijgewerkt_op")
STAND_KOLOMMEN = (
    "locatie_id",
    "versie_vanaf",
    "bekend_vanaf",
    "bekend_tot",
    "geldig_vanaf",
    "geldig_tot",
    *INHOUD_KOLOMMEN,
)
_BEKEND_VANAF = STAND_KOLOMMEN.index("bekend_vanaf")
_BEKEND_TOT = STAND_KOLOMMEN.index("bekend_tot")


def projecteer(
    session: Session,
    sites: Sequence[tuple[Spoedlocatie, list[RecordedEvent]]],
    toestanden: Mapping[str, Sequence[Toestand]] | None = None,
) -> None:
    """Bring both read models up to date with each site's new events (in version order).
    ``toestanden``: per site, its state after each new event when the caller has them (the
    aggregate folded them as it decided); without them (or not one per event) they are folded
    here."""
    if not sites:
        return
    nu = datetime.now(UTC)  # ``stand_rij``'s bijgewerkt_op, once for the batch
    huidig: list[tuple[Any, ...]] = []
    standen: list[list[Any]] = []
    for locatie, nieuw in sites:
        inhoud = Inhoud()
        gegeven = toestanden.get(locatie.id) if toestanden is not None else None
        rijen = _standen_in_geheugen(locatie, nieuw, inhoud, gegeven)
        if rijen is None:
            werk_standen_bij(session, locatie, nieuw)
        else:
            standen += rijen
        huidig.append((locatie.id, *inhoud(locatie.stand), locatie.version, nu))
    _verwijder_huidig(session, [locatie.id for locatie, nieuw in sites if _had_historie(nieuw)])
    kopieer(session, spoedlocaties, HUIDIG_KOLOMMEN, huidig)
    kopieer(session, spoedlocatie_standen, STAND_KOLOMMEN, standen)


def _had_historie(nieuw: list[RecordedEvent]) -> bool:
    """Whether the site had events before these, so a current row to replace. One registered
    in the batch has none (another writer registering it too fails the append first)."""
    return not nieuw or nieuw[0].version != 1


# The current rows of the batch's sites with history, by their primary key. The planner, left
# to itself, scans the whole table instead and compares every row with every id: in the generic
# plan psycopg's prepared statement keeps after five batches (made while the table was small) and
# even in a plan made with the batch's own ids. That took ~30 ms a batch at 5,000 sites and grew
# with every site ever imported. So it is planned anew each time, with sequential scans off for
# that one statement (the setting is put back at once, within the batch's transaction).
_VERWIJDER_PG = "DELETE FROM spoedlocaties WHERE locatie_id = ANY(%s)"


def _verwijder_huidig(session: Session, ids: list[str]) -> None:
    if not ids:
        return
    if not is_postgres(session):
        verwijder(session, spoedlocaties, spoedlocaties.c.locatie_id, ids)
        return
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(_VERWIJDER_PG, (ids,), prepare=False)
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
    except psycopg.Error as exc:
        # As SQLAlchemy's own error, which the import's per-line retry catches.
        raise DBAPIError.instance(_VERWIJDER_PG, None, exc, psycopg.Error) from exc


def _standen_in_geheugen(
    locatie: Spoedlocatie,
    nieuw: list[RecordedEvent],
    inhoud: Inhoud,
    gegeven: Sequence[Toestand] | None = None,
) -> list[list[Any]] | None:
    """The rows (``STAND_KOLOMMEN``) of a site whose history is all in ``nieuw``, as
    ``_verleng`` would leave them after each event in turn; None when that step does not apply
    (use the general path)."""
    if not nieuw or nieuw[0].version != 1 or len(nieuw) != len(locatie.history):
        return None
    if gegeven is not None and len(gegeven) != len(nieuw):
        gegeven = None
    stand = Toestand()
    rijen: list[list[Any]] = []
    open_: list[Any] | None = None
    open_inhoud: tuple[Any, ...] = ()
    laatste: date | None = None  # the open row's geldig_vanaf
    for k, (recorded, event) in enumerate(zip(nieuw, locatie.history, strict=True)):
        if isinstance(event, RegistratieGecorrigeerd):
            return None
        datum = recorded.occurred_at.date()
        if laatste is not None and datum < laatste:
            return None  # back-dated: the replay decides
        # The aggregate's own step (``Spoedlocatie.when`` without a correction), folded here
        # without an aggregate around it.
        stand = stap(stand, event) if gegeven is None else gegeven[k]
        nu = inhoud(stand)
        if open_ is not None and laatste is not None:
            if laatste == datum and open_inhoud == nu:
                continue  # the event changed nothing the rows show
            if open_[_BEKEND_VANAF] == recorded.recorded_at:
                # Known from this moment and superseded at this same moment (the batch records
                # a site's events at one time): known from T until T is known never, so no
                # kennisdatum and no current read can see the row. Commands an instant apart
                # leave such a row behind; here it is not written (~7 of a site's 15 rows in
                # the bench, a third of the import's COPY time). open_ is the last row added.
                rijen.pop()
            else:
                open_[_BEKEND_TOT] = recorded.recorded_at
            if laatste < datum:
                gesloten = (locatie.id, recorded.version, recorded.recorded_at, None)
                rijen.append([*gesloten, laatste, datum, *open_inhoud])
        open_ = [locatie.id, recorded.version, recorded.recorded_at, None, datum, None, *nu]
        open_inhoud, laatste = nu, datum
        rijen.append(open_)
    return rijen
