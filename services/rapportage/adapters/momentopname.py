"""A snapshot of the timelines on disk, so that a start reads only the log after it.

Building the timelines of the whole log costs about a minute of CPU at national scale; loading
them back from this file costs a fraction of that. A snapshot is loaded only if it provably
belongs to this log at the position it holds; anything else (a missing or unknown row, a file
that is not the one written, a log that was rebuilt or rewritten since) is refused and the
timelines are built from the log as before, so a snapshot can make a start faster but never
change an answer:

- the row in ``r_momentopname`` (written after the file, in the service's own database) names
  the position, the log's chain hash there and the SHA-256 of the file;
- the log must still hold that chain hash at that position (``r_zegels``: the hash of a sealed
  event covers the whole chain before it) and the same store;
- the file's header must name the same, its digest must be the row's, and the read model must
  hold as many facts up to that position as the snapshot.

The file is a series of pickles read by an unpickler that builds only the timelines' own types
(a file that names anything else is refused before anything in it runs), a few thousand sites
per pickle so that the writer's memo stays small. Written to a temporary file, synced and
renamed; the row is replaced afterwards, so a crash between the two leaves a file no row
matches (refused, rebuilt).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import tables
from services.rapportage.adapters.projection import SPOEDLOCATIES, Stroom
from services.rapportage.domain import feitkolommen
from services.rapportage.domain.feiten import GEREGISTREERD, LEEG, Locatie
from services.rapportage.domain.feitkolommen import Feitkolommen
from services.rapportage.domain.tijdlijn import Tijdlijnen, gedeelde_risicos

# 2: sites carry their plan (``Locatie.planning``); 3: a registration also keeps its bodemtype
# (the budget report needs it); 4: a state keeps what its site's states share in one tuple
# (``Locatie.basis``) and a site its record days with what each knew in one array
# (``_Site.kennis``). An older snapshot lacks one of them and is rebuilt.
FORMAAT = 4
SITES_PER_DEEL = 5_000
INHOUD_PER_DEEL = 50_000

log = logging.getLogger("services.rapportage.momentopname")

# What a snapshot may build: the timelines' own types and the values in them.
_TOEGESTAAN = frozenset(
    {
        ("services.rapportage.domain.feiten", "Locatie"),
        ("services.rapportage.domain.tijdlijn", "_Site"),
        ("services.rapportage.domain.tijdlijn", "Tijdlijn"),
        ("services.rapportage.domain.feitkolommen", "_Ruw"),
        ("services.rapportage.domain.feitkolommen", "ONTBREEKT"),
        ("shared.vocabulaire", "Status"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
        ("array", "_array_reconstructor"),
        ("array", "array"),
    }
)


class Afgewezen(Exception):
    """The snapshot does not belong to this log (or is not the file this service wrote)."""


@dataclass(frozen=True)
class Geladen:
    tijdlijnen: Tijdlijnen
    positie: int


class _Beperkt(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _TOEGESTAAN:
            raise Afgewezen(f"de momentopname noemt {module}.{name}")
        return super().find_class(module, name)


class _Lezer(io.RawIOBase):
    """Reads a file and hashes what it reads (the unpickler reads each byte once)."""

    def __init__(self, bron: IO[bytes]) -> None:
        super().__init__()
        self._bron = bron
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._bron.readinto(buffer)  # type: ignore[attr-defined]
        self.sha.update(memoryview(buffer)[:n])
        return int(n)

    def read(self, n: int | None = -1) -> bytes:
        data = self._bron.read(-1 if n is None else n)
        self.sha.update(data)
        return data

    def readline(self, n: int | None = -1) -> bytes:
        data = self._bron.readline(-1 if n is None else n)
        self.sha.update(data)
        return data


class _Schrijver(io.RawIOBase):
    def __init__(self, doel: IO[bytes]) -> None:
        super().__init__()
        self._doel = doel
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sha.update(data)
        return self._doel.write(data)


class Momentopname:
    def __init__(
        self,
        pad: Path,
        sessions: sessionmaker[Session],
        stroom: Stroom = SPOEDLOCATIES,
        tabel: Table = tables.momentopname,
        opnieuw_na: int = 100_000,
    ) -> None:
        """``opnieuw_na``: a start that read at least this many positions after the snapshot
        writes a new one."""
        self.pad = pad
        self._sessions = sessions
        self._stroom = stroom
        self._tabel = tabel
        self._opnieuw_na = opnieuw_na
        self._apart: threading.Thread | None = None
        # The last child's CPU seconds and highest resident memory (``schrijf_apart``).
        self.schrijver_cpu_s: float | None = None
        self.schrijver_piek_mb: float | None = None
        # Of that, the pages the child no longer shared with the service when it was done.
        self.schrijver_eigen_mb: float | None = None

    def laad(self) -> Geladen | None:
        """The timelines of the snapshot, if it belongs to this log; else None (logged)."""
        if not self.pad.exists():
            return None
        try:
            return self._laad()
        except Afgewezen as exc:
            log.warning("momentopname %s niet geladen: %s", self.pad, exc)
        except Exception as exc:  # an unreadable file is refused like a wrong one
            log.warning("momentopname %s niet geladen: %r", self.pad, exc)
        return None

    def _laad(self) -> Geladen:
        # The database first, in a short transaction (on SQLite a transaction holds the
        # write lock, which the consumers need): the file takes seconds to read.
        with self._sessions() as session:
            rij = session.execute(select(self._tabel).where(self._tabel.c.id == 1)).first()
            if rij is None:
                raise Afgewezen("geen vastlegging van een momentopname in de database")
            bron = session.execute(select(self._stroom.bron)).first()
            if bron is None or rij.positie > bron.watermark:
                raise Afgewezen(f"het logboek is niet tot positie {rij.positie} verwerkt")
            if self._hash(session, rij.positie) != rij.hash:
                raise Afgewezen(f"het logboek heeft op positie {rij.positie} een andere hash")
            feiten = self._stroom.feiten
            aantal = session.execute(
                select(func.count()).select_from(feiten).where(feiten.c.positie <= rij.positie)
            ).scalar_one()
        with self.pad.open("rb") as bestand:
            lezer = _Lezer(bestand)
            geladen = _lees(lezer, rij.positie, rij.hash, bron.store_id)
            if lezer.read(1):
                raise Afgewezen("meer gegevens na het einde")
        if lezer.sha.hexdigest() != rij.digest:
            raise Afgewezen("het bestand is niet het geschreven bestand")
        if aantal != len(geladen.tijdlijnen):
            raise Afgewezen(f"{len(geladen.tijdlijnen)} feiten, het leesmodel {aantal}")
        return geladen

    def verouderd(self, geladen: Geladen | None, positie: int) -> bool:
        """Whether a start that loaded ``geladen`` and then read up to ``positie`` should
        write a new snapshot."""
        begin = 0 if geladen is None else geladen.positie
        return positie > 0 and (geladen is None or positie - begin >= self._opnieuw_na)

    def schrijf(self, tijdlijnen: Tijdlijnen, positie: int) -> bool:
        """Writes the timelines, which hold the log up to ``positie`` (and must not change
        meanwhile), then records them; False if the log has no chain hash there or writing
        failed (logged: the service runs on without, and the next start reads more log)."""
        try:
            return self._schrijf(tijdlijnen, positie)
        except Exception:
            log.exception("momentopname %s niet geschreven", self.pad)
            return False

    def _schrijf(self, tijdlijnen: Tijdlijnen, positie: int) -> bool:
        kop = self._kop(positie)
        if kop is None:
            return False
        self._vastleggen(positie, kop[0], _schrijf_bestand(self.pad, tijdlijnen, positie, *kop))
        return True

    def schrijf_apart(self, tijdlijnen: Tijdlijnen, positie: int) -> None:
        """``schrijf`` off the start path: a forked child writes the file from the timelines
        as they are now (its copy of the memory holds still while this process reads on), and
        a thread records it once the child is done. Call with the timelines held still (the
        fork takes milliseconds). ``wacht`` waits for it. Where there is no fork: ``schrijf``."""
        if not hasattr(os, "fork"):
            self.schrijf(tijdlijnen, positie)
            return
        try:
            kop = self._kop(positie)
        except Exception:
            log.exception("momentopname %s niet geschreven", self.pad)
            return
        if kop is None:
            return
        self.wacht()  # one at a time
        lezen, schrijven = os.pipe()
        kind = os.fork()
        if kind == 0:  # the child: only the file, then out without the parent's cleanup
            code = 1
            try:
                os.close(lezen)
                digest = _schrijf_bestand(self.pad, tijdlijnen, positie, *kop)
                os.write(schrijven, f"{digest} {_eigen_kb()}".encode())
                code = 0
            finally:
                os._exit(code)
        os.close(schrijven)
        self._apart = threading.Thread(
            target=self._na_kind,
            args=(kind, lezen, positie, kop[0]),
            name="rapportage-momentopname",
            daemon=True,
        )
        self._apart.start()

    def _na_kind(self, kind: int, lezen: int, positie: int, hash_: str) -> None:
        try:
            with os.fdopen(lezen, "rb") as pijp:
                digest, _, eigen_kb = pijp.read().decode().partition(" ")
            _, status, gebruik = os.wait4(kind, 0)
            self.schrijver_cpu_s = gebruik.ru_utime + gebruik.ru_stime
            self.schrijver_piek_mb = gebruik.ru_maxrss / 1024
            self.schrijver_eigen_mb = int(eigen_kb or 0) / 1024
            if os.waitstatus_to_exitcode(status) != 0 or len(digest) != 64:
                log.error("momentopname %s niet geschreven (proces %s)", self.pad, status)
                return
            self._vastleggen(positie, hash_, digest)
        except Exception:
            log.exception("momentopname %s niet vastgelegd", self.pad)

    def wacht(self, timeout: float | None = None) -> None:
        """Until a snapshot being written apart (``schrijf_apart``) is written and recorded."""
        if self._apart is not None:
            self._apart.join(timeout)

    def _kop(self, positie: int) -> tuple[str, str] | None:
        """The log's chain hash at ``positie`` and its store, or None if it has no hash
        there."""
        with self._sessions() as session:
            hash_ = self._hash(session, positie)
            store_id = session.execute(select(self._stroom.bron.c.store_id)).scalar()
        if hash_ is None or store_id is None:
            return None
        return hash_, str(store_id)

    def _vastleggen(self, positie: int, hash_: str, digest: str) -> None:
        """Records the file written (after it is durable)."""
        with self._sessions.begin() as session:
            session.execute(delete(self._tabel))
            session.execute(
                insert(self._tabel).values(id=1, positie=positie, hash=hash_, digest=digest)
            )

    def _hash(self, session: Session, positie: int) -> str | None:
        zegels = self._stroom.zegels
        return session.execute(select(zegels.c.hash).where(zegels.c.positie == positie)).scalar()


def _schrijf_bestand(
    pad: Path, tijdlijnen: Tijdlijnen, positie: int, hash_: str, store_id: str
) -> str:
    """Writes the file (synced and renamed into place); returns its SHA-256."""
    pad.parent.mkdir(parents=True, exist_ok=True)
    tijdelijk = pad.with_name(f"{pad.name}.{os.getpid()}.tmp")
    try:
        with tijdelijk.open("wb") as bestand:
            schrijver = _Schrijver(bestand)
            _schrijf(pickle.Pickler(schrijver, 5), tijdlijnen, positie, hash_, store_id)
            bestand.flush()
            os.fsync(bestand.fileno())
        os.replace(tijdelijk, pad)
    finally:
        tijdelijk.unlink(missing_ok=True)
    _sync_map(pad.parent)
    return schrijver.sha.hexdigest()


def _schrijf(
    pickler: pickle.Pickler, tijdlijnen: Tijdlijnen, positie: int, hash_: str, store_id: str
) -> None:
    for deel in _delen(tijdlijnen, positie, hash_, store_id):
        pickler.dump(deel)
        # Each part on its own: the memo would otherwise hold every object of the timelines.
        pickler.clear_memo()


def _delen(tijdlijnen: Tijdlijnen, positie: int, hash_: str, store_id: str) -> Iterator[Any]:
    kolommen = tijdlijnen.kolommen
    sites = list(tijdlijnen.sites())
    yield {
        "formaat": FORMAAT,
        "positie": positie,
        "hash": hash_,
        "store_id": store_id,
        "soorten": list(feitkolommen.SOORTEN),
        "feiten": len(kolommen),
        "sites": len(sites),
    }
    yield kolommen.arrays()
    for begin in range(0, len(kolommen), INHOUD_PER_DEEL):
        yield kolommen.inhoud[begin : begin + INHOUD_PER_DEEL]
    for begin in range(0, len(sites), SITES_PER_DEEL):
        yield sites[begin : begin + SITES_PER_DEEL]


def _lees(lezer: _Lezer, positie: int, hash_: str, store_id: str) -> Geladen:
    kop = _deel(lezer)
    if not isinstance(kop, dict) or kop.get("formaat") != FORMAAT:
        raise Afgewezen("onbekend formaat")
    if (kop.get("positie"), kop.get("hash"), kop.get("store_id")) != (positie, hash_, store_id):
        raise Afgewezen("de kop noemt een andere positie, hash of bron")
    if not feitkolommen.codes_gelijk(kop["soorten"]):
        raise Afgewezen("de soorten feiten hebben hier andere codes")
    arrays = _deel(lezer)
    inhoud: list[Any] = []
    while len(inhoud) < kop["feiten"]:
        inhoud.extend(_deel(lezer))
    try:
        kolommen = Feitkolommen.uit(tuple(arrays), inhoud)
    except (TypeError, ValueError) as exc:
        raise Afgewezen(str(exc)) from exc
    sites: dict[str, Any] = {}
    deler = _Deler(kolommen)
    while len(sites) < kop["sites"]:
        deel = _deel(lezer)
        deler.deel(deel)
        sites.update(deel)
    del deler
    return Geladen(Tijdlijnen.uit(kolommen, sites), positie)


class _Deler:
    """Gives the loaded states back the sharing the first start's states have and a pickle
    does not keep (over 100 MB at national scale, the restart's excess over the first start):
    pickle never shares ints, so every state of a site held its own copy of its budget and
    costs, and every fact its own amount; a site's name is also in its registration's content,
    which is written in another part; risk dicts and dates are shared within a part only.
    Equal immutable values (the states never change their dicts): the same answers. Beyond the
    first start, the empty dicts of states without risks are one dict."""

    def __init__(self, kolommen: Feitkolommen) -> None:
        registratie = feitkolommen.code(GEREGISTREERD)
        naam = feitkolommen.VELDEN[GEREGISTREERD].index("naam")
        soorten, inhoud = kolommen.soort, kolommen.inhoud
        # The names in the registrations' content, and the amounts in the facts' (ints
        # beyond the few that Python keeps once).
        self._namen: dict[str, str] = {}
        self._getallen: dict[int, int] = {}
        namen, getallen = self._namen, self._getallen
        for i, waarde in enumerate(inhoud):
            soort = type(waarde)
            if soort is int:
                if not -5 <= waarde <= 256:
                    inhoud[i] = getallen.setdefault(waarde, waarde)
            elif soort is tuple and soorten[i] == registratie and type(waarde[naam]) is str:
                namen.setdefault(waarde[naam], waarde[naam])
        self._datums: dict[date, date] = {}

    def deel(self, sites: list[tuple[str, Any]]) -> None:
        for _, site in sites:
            # A site's timelines share their basis: one replacement per value (equal values,
            # an immutable tuple: the same answers).
            bases: dict[Any, Any] = {}
            self._lijn(site.standen, bases)
            if site.oude is not None:
                for _, oud in site.oude:
                    self._lijn(oud.standen, bases)

    def _lijn(self, standen: list[Locatie | None], bases: dict[Any, Any]) -> None:
        """One timeline's states, in order; ``bases``: the site's bases as loaded, and what
        replaces each."""
        namen, datums, getallen = self._namen, self._datums, self._getallen
        budget: Any = None
        kosten: Any = None
        # The value as loaded and what replaces it (a state's unchanged fields are the
        # previous state's objects, so each is looked up once per change).
        naam_was: Any = None
        naam: Any = None
        sinds_was: Any = None
        sinds: Any = None
        risicos_was: Any = None
        risicos: Any = None
        eerste_was: Any = None
        eerste: Any = None
        for stand in standen:
            if stand is None:
                continue
            # Consecutive states share their amounts, as ``kopie`` leaves them.
            if stand.budget_euro == budget:
                stand.budget_euro = budget
            else:
                budget = stand.budget_euro = getallen.get(stand.budget_euro, stand.budget_euro)
            if stand.kosten_euro == kosten:
                stand.kosten_euro = kosten
            else:
                kosten = stand.kosten_euro = getallen.get(stand.kosten_euro, stand.kosten_euro)
            # The basis (with the name) is one per site; its name the registration's.
            if stand.basis is not naam_was:
                naam_was = naam = b = stand.basis
                try:
                    naam = bases.get(b)
                    if naam is None:
                        gedeeld = namen.get(b[2], b[2])
                        naam = b if gedeeld is b[2] else (b[0], b[1], gedeeld, b[3], b[4])
                        bases[b] = naam
                except TypeError:  # an unhashable name or code: kept as loaded
                    naam = b
            stand.basis = naam
            if stand.status_sinds is not sinds_was:
                sinds_was = stand.status_sinds
                sinds = sinds_was if sinds_was is None else datums.setdefault(sinds_was, sinds_was)
            stand.status_sinds = sinds
            if (afgehandeld := stand.afgehandeld_op) is not None:
                stand.afgehandeld_op = datums.setdefault(afgehandeld, afgehandeld)
            if stand.risicos is not risicos_was:
                risicos_was = stand.risicos
                risicos = gedeelde_risicos(risicos_was) if risicos_was else LEEG
            stand.risicos = risicos
            if stand.eerste_beoordeling is not eerste_was:
                eerste_was = stand.eerste_beoordeling
                eerste = eerste_was or LEEG
            stand.eerste_beoordeling = eerste


def _deel(lezer: _Lezer) -> Any:
    # A new unpickler per part: the writer starts each part with an empty memo.
    return _Beperkt(lezer).load()


def _eigen_kb() -> int:
    """This process's memory not shared with another (Linux; 0 where unknown)."""
    try:
        regels = Path("/proc/self/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return sum(
        int(r.split()[1]) for r in regels if r.startswith(("Private_Clean", "Private_Dirty"))
    )


def _sync_map(map_: Path) -> None:
    """Makes the rename durable."""
    fd = os.open(map_, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
