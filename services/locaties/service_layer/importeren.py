"""Bulk import: the lines of one request run through the same handlers as the single commands,
many lines per transaction.

Each line is a command with its handler (``handlers.registreer``, ``handlers.wijzig_status``,
...): the handler asks the one policy, checks the expected version and calls the domain, exactly
as for ``POST /v1/spoedlocaties/...``. What differs is the unit of work it gets: a
:class:`_RegelUnitOfWork` over the sites of the batch, loaded in one query and kept in memory
between batches, whose ``commit`` only accepts the line. After the last line of a batch, its
events (of all sites) are appended in one statement, the read models and the recorded line keys
are written, and the transaction commits once. A refused line leaves nothing: the domain checks
before it records, and a line that fails is never committed into the batch.

A batch that fails as a whole (another writer took a version the batch counted on, a row the
database refuses) rolls back and is run again one line per transaction, so that the failure
reaches only the line that causes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, Self

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.locaties.adapters import importregels
from services.locaties.adapters.bulk_projectie import projecteer
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand
from services.locaties.service_layer.unit_of_work import (
    Actor,
    Correctiecontrole,
    Spoedlocaties,
    SqlLocatiesUnitOfWork,
    metadata,
)
from shared import beleid
from shared.aggregate import NotFound
from shared.eventstore import ConcurrencyError, EventMetadata
from shared.eventstore.bulk import append_many, load_many
from shared.eventstore.model import RecordedEvent
from shared.eventstore.sql import SqlEventStore
from shared.leadership import notify_commit
from shared.privacy import Personen
from shared.unit_of_work import Scope

log = logging.getLogger(__name__)

# Sites kept in memory between the batches of one request; beyond this they are dropped and
# loaded again when a later line needs them.
SITES_MAX = 50_000


class ImportRegel(NamedTuple):
    """One input line, ready to run: its key and fingerprint (hash of its content), the sites it
    may touch (loaded before the batch runs) and the handler call. (A named tuple, as Gelukt:
    one of each per line, made in ~0.25 µs where a frozen dataclass takes ~0.7.)"""

    sleutel: str
    vingerafdruk: str
    locatie_ids: tuple[str, ...]
    uitvoeren: Callable[[Any], Spoedlocatie]  # (unit of work) -> the site after the command


class Gelukt(NamedTuple):
    locatie_id: str
    versie: int
    herhaald: bool = False  # recorded by an earlier request (or line) with the same key


class RegelGewijzigd(Exception):
    """The line key was recorded before with other content (422)."""

    def __init__(self, sleutel: str) -> None:
        super().__init__(
            f"regel {sleutel!r} is eerder met andere inhoud vastgelegd; een sleutel hoort bij "
            "één regel"
        )


class GelijktijdigGewijzigd(Exception):
    """Another writer changed a site of this line while it ran (409)."""

    def __init__(self) -> None:
        super().__init__(
            "een locatie van deze regel werd tegelijk door een ander gewijzigd; stuur de regel "
            "opnieuw"
        )


class WaardeGeweigerd(Exception):
    """The database refused a value of the line (SQLSTATE class 22: a value its column cannot
    hold, which the schemas should have refused first): the line's own refusal, nothing of it
    stored (422)."""

    def __init__(self) -> None:
        super().__init__(
            "De regel is niet vastgelegd: de database weigerde een waarde ervan (een waarde "
            "die niet in haar kolom past)."
        )


class NietVerwerkt(Exception):
    """The line was not recorded because the service failed (503); sending it again is safe."""

    def __init__(self) -> None:
        super().__init__("De regel is niet verwerkt: de service faalde; stuur hem opnieuw.")


Uitkomst = Gelukt | Exception


class _Locaties(Spoedlocaties):
    """The handlers' repository over the importer's sites in memory; remembers the version of
    each site when the line first read it."""

    def __init__(self, importeur: Importeur, store: SqlEventStore, topic: str) -> None:
        super().__init__(store, topic, None)
        self._importeur = importeur
        self.versie_voor: dict[str, int] = {}

    def get(self, aggregate_id: str, verwachte_versie: int | None = None) -> Spoedlocatie:
        locatie = self._importeur.sites.get(aggregate_id)
        if locatie is None:
            raise NotFound(aggregate_id)
        self.versie_voor.setdefault(aggregate_id, locatie.version)
        self.seen.append(locatie)
        return locatie

    def exists(self, aggregate_id: str) -> bool:
        # A line's sites are looked up before it runs (``Importeur._laad``: found or not), so
        # for those memory answers; an id the service numbers is not among them, so the store
        # is asked for it (else a number an earlier request's explicit id holds clashed at
        # the append, every time the line was sent). Asking the store for every explicit id
        # too cost a query per registration: ~15 % of a worker's CPU in the import.
        if aggregate_id in self._importeur.sites:
            return True
        if aggregate_id in self._importeur.geladen:
            return False
        return super().exists(aggregate_id)

    def add(self, aggregate: Spoedlocatie) -> None:
        self.seen.append(aggregate)


class _RegelUnitOfWork(Scope):
    """What a handler sees for one line: enter, decide, ``commit`` accepts the line into the
    batch; leaving without commit undoes what the line did in memory."""

    def __init__(self, importeur: Importeur, session: Session, topic: str) -> None:
        self._importeur = importeur
        self.session = session
        self.actor = importeur.actor
        self.correctiecontrole = importeur.correctiecontrole
        self.locaties = _Locaties(importeur, SqlEventStore(session), topic)
        self._geaccepteerd = False

    def __enter__(self) -> Self:
        self.locaties.seen = []
        self.locaties.versie_voor = {}
        self._geaccepteerd = False
        return self

    def rollback(self) -> None:
        if self._geaccepteerd:
            return
        # The domain checks before it records, so a refused line changed nothing; should a
        # site have changed all the same, it is dropped and loaded again from the database.
        for locatie_id, versie in self.locaties.versie_voor.items():
            locatie = self._importeur.sites.get(locatie_id)
            if locatie is not None and locatie.version != versie:
                self._importeur.vergeet(locatie_id)

    def commit(self) -> None:
        for locatie in self.locaties.seen:
            if self._importeur.sites.get(locatie.id, locatie) is not locatie:
                # A new site on an id the import holds already (a number the service hands out
                # that a line before registered explicitly): the single command's append finds
                # the stream taken; kept in memory, it would replace that site unrecorded.
                raise ConcurrencyError(locatie.id, 0)
        for locatie in self.locaties.seen:
            self._importeur.neem_op(locatie)
        self._geaccepteerd = True

    def volgend_nummer(self, prefix: str) -> int:
        # The single command's numbering, in the batch's transaction (it reads only .session).
        return SqlLocatiesUnitOfWork.volgend_nummer(self, prefix)  # type: ignore[arg-type]


class Importeur:
    """The import of one request (one caller): run batches of lines, keep the sites they touch
    in memory in between."""

    def __init__(
        self,
        actor: Actor,
        sessions: sessionmaker[Session],
        scope: str,
        topic: str,
        personen: Personen | None = None,
        on_commit: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        correctiecontrole: Correctiecontrole | None = None,
    ) -> None:
        """Refuses (GeenToegang) a caller the policy does not let import at all; each line is
        then held to its own operation's rule by its handler."""
        beleid.controleer("locaties.importeer", actor.principal)
        self.actor = actor
        self.correctiecontrole = correctiecontrole
        self._sessions = sessions
        self._scope = scope
        self._topic = topic
        self._personen = personen
        self._on_commit = on_commit
        self._clock = clock or (lambda: datetime.now(UTC))
        self.sites: dict[str, Spoedlocatie] = {}
        self.geladen: set[str] = set()  # ids looked up (found or not)
        self._laatst: dict[str, datetime] = {}  # last record time per site
        self._batch: dict[str, Spoedlocatie] = {}  # sites with events in the running batch
        # Per site in the batch, its state after each of its pending events, as the aggregate
        # folded it (the read models take them instead of folding again); one short when a
        # line recorded more than one event.
        self._standen: dict[str, list[Toestand]] = {}
        self._metadata: EventMetadata | None = None  # who acts, once a person
        self._gestempeld: EventMetadata | None = None

    # -- used by the line's unit of work ------------------------------------------------------

    def neem_op(self, locatie: Spoedlocatie) -> None:
        if locatie.pending:
            self.sites[locatie.id] = locatie
            self.geladen.add(locatie.id)
            self._batch[locatie.id] = locatie
            standen = self._standen.setdefault(locatie.id, [])
            if len(standen) == len(locatie.pending) - 1:  # the line's one event
                standen.append(locatie.stand)

    def laat_los(self) -> None:
        """Forget every site kept in memory (the request is done: a later line loads them
        again)."""
        self.sites, self.geladen, self._laatst = {}, set(), {}
        self._batch, self._standen = {}, {}

    def vergeet(self, locatie_id: str) -> None:
        self.sites.pop(locatie_id, None)
        self.geladen.discard(locatie_id)
        self._batch.pop(locatie_id, None)
        self._standen.pop(locatie_id, None)

    # -- batches ------------------------------------------------------------------------------

    def verwerk(self, regels: Sequence[ImportRegel]) -> list[Uitkomst]:
        """Run the lines in order, in one transaction; one outcome per line."""
        try:
            return self._verwerk(regels)
        except BaseException:
            # Not a line's own refusal (the route answers each line "not recorded"): the
            # batch's sites keep their pending events in memory, which the next batch of the
            # request would otherwise append along with its own.
            self._vergeet_batch()
            raise

    def _verwerk(self, regels: Sequence[ImportRegel]) -> list[Uitkomst]:
        try:
            return self._batch_van(regels)
        except (DBAPIError, ConcurrencyError) as exc:
            # (ConcurrencyError: on SQLite ``append_many`` appends stream by stream, and a
            # version another writer took is the store's ConcurrencyError, not a unique
            # violation: a site kept in memory, or an id looked up absent, that another
            # request changed or registered since.)
            self._vergeet_batch()
            if len(regels) == 1 and not isinstance(
                exc, IntegrityError | DataError | ConcurrencyError
            ):
                raise
        # Another writer, or a row the database refused: each line alone, so the failure
        # reaches only the line that causes it (a line alone runs once more, and is answered
        # by what happens then, as it would be among others).
        uit: list[Uitkomst] = []
        for n, regel in enumerate(regels):
            try:
                uit += self._batch_van([regel])
            except (IntegrityError, ConcurrencyError):
                self._vergeet_batch()
                uit.append(GelijktijdigGewijzigd())
            except DataError:
                log.warning("bulk import: the database refused a value of a line", exc_info=True)
                self._vergeet_batch()
                uit.append(WaardeGeweigerd())
            except Exception:
                # The service failed (a lost database) partway: the lines before this one are
                # committed and keep their own answers; this one and the rest were not recorded.
                log.exception(
                    "bulk import: line-by-line retry stopped at line %d of %d", n + 1, len(regels)
                )
                self._vergeet_batch()
                return uit + [NietVerwerkt() for _ in regels[n:]]
        return uit

    def _batch_van(self, regels: Sequence[ImportRegel]) -> list[Uitkomst]:
        uit: list[Uitkomst | None] = [None] * len(regels)
        nieuw: dict[str, importregels.Vastgelegd] = {}
        if len(self.sites) > SITES_MAX:
            self.sites, self.geladen, self._laatst = {}, set(), {}
        with self._sessions() as session, session.begin():
            eerder = importregels.lees(session, self._scope, [r.sleutel for r in regels])
            self._laad(session, {i for r in regels for i in r.locatie_ids})
            uow = _RegelUnitOfWork(self, session, self._topic)
            for n, regel in enumerate(regels):
                if regel.sleutel in eerder or regel.sleutel in nieuw:
                    uit[n] = self._herhaling(regel, eerder, nieuw)
                    continue
                try:
                    locatie = regel.uitvoeren(uow)
                except DBAPIError:
                    raise
                except Exception as exc:  # a refused line: its own outcome, nothing stored
                    uit[n] = exc
                    continue
                gelukt = Gelukt(locatie.id, locatie.version)
                uit[n] = gelukt
                nieuw[regel.sleutel] = importregels.Vastgelegd(
                    regel.vingerafdruk, locatie.id, locatie.version
                )
            self._schrijf(session, nieuw)
        self._na_commit()
        return [u for u in uit if u is not None]

    def _herhaling(
        self,
        regel: ImportRegel,
        eerder: dict[str, importregels.Vastgelegd],
        nieuw: dict[str, importregels.Vastgelegd],
    ) -> Uitkomst:
        """The answer of a line whose key was recorded before (by an earlier request or batch,
        or earlier in this batch)."""
        vastgelegd = eerder.get(regel.sleutel) or nieuw[regel.sleutel]
        if vastgelegd.vingerafdruk != regel.vingerafdruk:
            return RegelGewijzigd(regel.sleutel)
        return Gelukt(vastgelegd.locatie_id, vastgelegd.versie, herhaald=True)

    def _laad(self, session: Session, ids: Iterable[str]) -> None:
        """Load the sites not yet in memory, all in one query."""
        ontbrekend = sorted(set(ids) - self.geladen)
        if not ontbrekend:
            return
        per_site = load_many(session, ontbrekend)
        for locatie_id, recorded in per_site.items():
            locatie = Spoedlocatie(locatie_id)
            locatie.replay(recorded)
            self.sites[locatie_id] = locatie
            self._laatst[locatie_id] = recorded[-1].recorded_at
        self.geladen.update(ontbrekend)

    def _schrijf(self, session: Session, nieuw: dict[str, importregels.Vastgelegd]) -> None:
        """The batch's events of every site in one append, then the read models, the line keys
        and a first-time caller; one NOTIFY. The caller's ``session.begin()`` commits."""
        if not self._batch:
            return
        nu = self._clock()
        meta = self._gestempeld = self._wie(session)
        appends = []
        for locatie in self._batch.values():
            laatst = self._laatst.get(locatie.id)
            appends.append(
                (
                    locatie.id,
                    locatie.stream_type,
                    locatie.version - len(locatie.pending),
                    locatie.pending,
                    max(nu, laatst) if laatst else nu,
                )
            )
        recorded = append_many(session, appends, self._topic, stempel=meta)
        per_site: dict[str, list[RecordedEvent]] = {}
        for e in recorded:
            per_site.setdefault(e.stream_id, []).append(e)
        projecteer(session, [(x, per_site[x.id]) for x in self._batch.values()], self._standen)
        importregels.bewaar(session, self._scope, nieuw, nu)
        notify_commit(session)
        for e in recorded:
            self._laatst[e.stream_id] = e.recorded_at

    def _wie(self, session: Session) -> EventMetadata:
        """Who acts, by pseudonym, as the single commands' unit of work stamps it; a caller
        acting for the first time becomes a person in this batch's transaction (so only with
        events the policy allowed)."""
        if self._metadata is not None:
            return self._metadata
        if self._personen is None:
            return metadata(self.actor, self.actor.principal.sub)
        pseudoniem, nieuw = self._personen.wie(session, self.actor.principal.sub)
        if nieuw is not None:
            # Another request of this caller (an import sent in parallel parts) may have made
            # them a person first. Unlike a single command's, these events are not stamped yet:
            # they take that person's pseudonym.
            pseudoniem = self._personen.maak_of_neem(session, nieuw)
        return metadata(self.actor, pseudoniem)

    def _na_commit(self) -> None:
        had_events = bool(self._batch)
        for locatie in self._batch.values():
            locatie.pending = []
        self._batch, self._standen = {}, {}
        if had_events:
            self._metadata = self._gestempeld
        if had_events and self._on_commit is not None:
            self._on_commit()

    def _vergeet_batch(self) -> None:
        """After a rolled-back batch: the sites it changed in memory are loaded again."""
        for locatie_id in list(self._batch):
            self.vergeet(locatie_id)
            self._laatst.pop(locatie_id, None)
        self._batch, self._standen = {}, {}
