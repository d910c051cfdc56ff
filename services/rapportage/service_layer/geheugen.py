"""What the service keeps in memory between requests: the facts of each stream up to its
watermark (facts at or below it never change), and the reports and states built from them.

The facts of one stream are read incrementally, a slice of positions at a time, under a lock.
Two kinds on one base (the reading and the lock): the kennis facts as a list (the transition report
folds them whole), the spoedlocaties facts as per-site bitemporal timelines (``Tijdlijnen``:
at national scale the list would take several times their memory).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar

from services.rapportage.adapters.voorlezer import Voorlezer
from services.rapportage.domain.feiten import Feit, Locatie
from services.rapportage.domain.rapporten import Rapport
from services.rapportage.domain.snede import Nummering
from services.rapportage.domain.tijdlijn import Tijdlijnen

if TYPE_CHECKING:
    from services.rapportage.adapters.momentopname import Momentopname
    from services.rapportage.service_layer.unit_of_work import Logboek

# States kept for the next report on the same moment. Few: at national scale each is a dict of
# ~400,000 sites (15-30 MB; the states themselves are the timelines' own), where a report is
# a few kilobytes (32 of those are kept).
TOESTANDEN = 4
RAPPORTEN = 32
# Slices to read beyond which a child reads ahead (``Tijdlijnfeiten``): forking costs a few
# milliseconds, a slice of 50,000 facts about half a second.
VOORLEZEN_VANAF = 2


class _Bijgelezen:
    """The reading and the lock that both kinds of facts share."""

    def __init__(self, per_keer: int) -> None:
        self._lock = threading.Lock()
        self._tot = 0
        self._per_keer = per_keer

    def _lees(self, logboek: Logboek, tot: int, na: int) -> None:
        """Reads the facts after ``na`` up to ``tot`` in."""
        raise NotImplementedError

    def _bij(self, logboek: Logboek, positie: int) -> None:
        """Read the facts up to ``positie`` not read yet (holding the lock), a slice of
        positions at a time: at start that is the whole log."""
        sneden = 0
        while positie > self._tot:
            tot = min(positie, self._tot + self._per_keer)
            self._lees(logboek, tot, self._tot)
            self._tot = tot
            sneden += 1
        if sneden > 1:
            geef_vrij()

    @contextmanager
    def vast(self, logboek: Logboek, positie: int) -> Iterator[int]:
        """Holds the facts still, read up to at least ``positie``; yields the position they
        hold (higher when another request read further: that is a watermark too)."""
        with self._lock:
            self._bij(logboek, positie)
            yield self._tot


class Feitenlijst(_Bijgelezen):
    def __init__(self, per_keer: int = 50_000) -> None:
        super().__init__(per_keer)
        self._feiten: list[Feit] = []

    def _lees(self, logboek: Logboek, tot: int, na: int) -> None:
        self._feiten.extend(logboek.lees_feiten(tot, na=na))

    def tot(self, positie: int) -> list[Feit]:
        """The facts up to ``positie``; only inside ``vast``."""
        assert self._lock.locked()
        return [f for f in self._feiten if f.positie <= positie]


class Tijdlijnfeiten(_Bijgelezen):
    """``voorlezen``: when the timelines are empty and more than ``VOORLEZEN_VANAF`` slices
    are to be read (the first start without a snapshot), a forked child reads and slices
    the log while this process builds the states (``adapters/voorlezer.py``)."""

    def __init__(self, per_keer: int = 50_000, voorlezen: bool = True) -> None:
        super().__init__(per_keer)
        self._tijdlijnen = Tijdlijnen()
        self.voorlezen = voorlezen
        # What the last child that read ahead used (for the benchmark): CPU s, peak MB.
        self.voorlezer: tuple[float, float] | None = None

    def _bij(self, logboek: Logboek, positie: int) -> None:
        grenzen = []
        tot = self._tot
        while positie > tot:
            grenzen.append((tot, tot := min(positie, tot + self._per_keer)))
        if not grenzen:
            return
        # As rows, sliced: no ``Feit`` and no datetime per fact, one slicer for all slices
        # (a site is looked up by its id once, then by its number).
        tijdlijnen = self._tijdlijnen
        snijder, nummering = tijdlijnen.snijder(), Nummering()
        apart = None
        if (
            self.voorlezen
            and len(grenzen) > VOORLEZEN_VANAF
            and len(tijdlijnen) == 0
            and logboek.apart_leesbaar()
        ):
            apart = Voorlezer.start(logboek, snijder, grenzen)
        gestart = apart
        try:
            for na, tot in grenzen:
                snede = apart.volgende(tot) if apart else None
                if snede is None:
                    if apart is not None:  # the child gave up: from here on read here
                        apart = None
                        snijder, nummering = tijdlijnen.snijder(), Nummering()
                    snede = snijder.snijd(logboek.lees_rijen(tot, na=na))
                tijdlijnen.voeg_toe_snede(snede, nummering)
                self._tot = tot
        finally:
            if gestart is not None:
                gestart.stop()
                self.voorlezer = gestart.cpu_s, gestart.piek_mb
        if len(grenzen) > 1:
            geef_vrij()

    def begin(self, tijdlijnen: Tijdlijnen, tot: int) -> None:
        """Start from timelines that hold the facts up to ``tot`` (a checked snapshot),
        unless facts were read already (a start that failed halfway is tried again)."""
        with self._lock:
            if self._tot == 0:
                self._tijdlijnen, self._tot = tijdlijnen, tot
        geef_vrij()

    @property
    def tijdlijnen(self) -> Tijdlijnen:
        return self._tijdlijnen

    def stand_op(self, peildatum: date, kennisdatum: date | None) -> dict[str, Locatie]:
        """All sites on ``peildatum`` as known on ``kennisdatum``; only inside ``vast``."""
        assert self._lock.locked()
        return self._tijdlijnen.op(peildatum, kennisdatum)


def geef_vrij() -> None:
    """Gives the memory the C allocator holds free back to the system (glibc's
    ``malloc_trim``; nothing elsewhere), after reading many slices of the log or loading a
    snapshot: their buffers leave free pages in the heap that the resident size would keep
    counting (about 15 MB at national scale)."""
    if _trim is not None:
        _trim(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


_trim = _malloc_trim()


K = TypeVar("K")
V = TypeVar("V")


class Cache(Generic[K, V]):
    """The last ``maximum`` values by key (oldest out first), safe between threads."""

    def __init__(self, maximum: int) -> None:
        self._maximum = maximum
        self._lock = threading.Lock()
        self._values: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._values.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._maximum:
                self._values.popitem(last=False)

    def __len__(self) -> int:
        return len(self._values)


class Geheugen:
    """``bevries``: build the timelines the first time inside ``opbouw`` (the service does; it
    changes the whole process's garbage collection, so tests do not). ``momentopname``: start
    from it if it belongs to the log, and write it after a start that read much of the log.
    ``voorlezen``: see ``Tijdlijnfeiten``."""

    def __init__(
        self,
        per_keer: int = 50_000,
        bevries: bool = False,
        momentopname: Momentopname | None = None,
        voorlezen: bool = True,
    ) -> None:
        self.spoedlocaties = Tijdlijnfeiten(per_keer, voorlezen)
        self.kennis = Feitenlijst(per_keer)
        self.rapporten: Cache[tuple[object, ...], Rapport] = Cache(RAPPORTEN)
        self.toestanden: Cache[tuple[object, ...], dict[str, Locatie]] = Cache(TOESTANDEN)
        self.bevries = bevries
        self.momentopname = momentopname
        # Set once the timelines have been read up to the watermark the first time: ready.
        self.bijgehouden = threading.Event()
