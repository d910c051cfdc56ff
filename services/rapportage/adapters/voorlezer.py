"""The first start's second core: a forked child reads the log and slices it (``Snijder``:
reading, decoding, telling the sites apart and chaining their facts, about half the start at
national scale), while this process builds the states of the slice before (``Tijdlijnen.
voeg_toe_snede``). The slices come through a pipe as pickles: the columns as arrays (bytes),
the content as the few values the fold reads.

Only an accelerator: the child reads the same rows this process would, with connections of its
own (never the parent's), and whatever goes wrong in it (an error, a wrong slice, its end, no
word ``EERSTE_WACHT`` seconds after the fork or ``WACHT`` seconds between slices) only makes this
process read the rest itself, from the first slice it has not taken in.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
from typing import Any, Protocol

from services.rapportage.domain.feiten import PLANNING, RISICO
from services.rapportage.domain.feitkolommen import GetypeerdeRij, Rij
from services.rapportage.domain.snede import Snede, Snijder

log = logging.getLogger("services.rapportage.voorlezer")

# Seconds without a byte from the child before it counts as stuck (a slice takes well under one).
WACHT = 120.0
# Seconds for the child's word after its first round trip to the database (milliseconds). A lock
# another thread held at the fork stops the child there for good: SQLite's own, in C, when another
# thread of the service runs a statement at that moment (the relay, a consumer).
EERSTE_WACHT = 10.0
_KOP = 8
# The kinds of facts whose JSON the child leaves to the service (``Snijder.snijd``'s
# ``uitstellen``): reading the log and slicing it cost the child more CPU than building the
# states costs the service, so the service reads these (plans and risk assessments, about a
# fifth of the log) and the two finish closer together.
UITSTELLEN = frozenset({PLANNING, RISICO})


class Leesbaar(Protocol):
    """What the child reads from: the log (``unit_of_work.Logboek``'s reading)."""

    def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]: ...

    def lees_ruwe_rijen(self, tot_en_met: int, na: int) -> list[Any]:
        """``lees_rijen``, but a fact without typed columns may keep its data as JSON text
        (``Snijder.snijd`` reads it, or leaves it to the service: ``UITSTELLEN``)."""
        ...

    def na_fork(self) -> None:
        """In the child: its own connections from now on (never the parent's)."""
        ...


class Voorlezer:
    """The child reading ``grenzen`` ((na, tot) per slice, in order) and the pipe to it."""

    def __init__(self, kind: int, pijp: int) -> None:
        self._kind = kind
        self._pijp = pijp
        self._buffer = bytearray()
        self._gehoord = False
        self.cpu_s = 0.0
        self.piek_mb = 0.0

    @classmethod
    def start(
        cls, logboek: Leesbaar, snijder: Snijder, grenzen: list[tuple[int, int]]
    ) -> Voorlezer | None:
        """Forks the child (None where there is no fork). Call holding the facts still: the
        child slices after what ``snijder`` knows."""
        if not hasattr(os, "fork"):
            return None
        lezen, schrijven = os.pipe()
        _ruim(schrijven)
        try:
            kind = os.fork()
        except OSError:  # no process to spare (memory, limits): read here
            log.warning("voorlezer niet gestart", exc_info=True)
            os.close(lezen)
            os.close(schrijven)
            return None
        if kind == 0:  # the child: only the slices, then out without the parent's cleanup
            code = 1
            try:
                _eigen_signalen()
                os.close(lezen)
                logboek.na_fork()
                logboek.lees_rijen(0, 0)  # nothing, but through every lock a read takes
                _stuur(schrijven, b"")
                for na, tot in grenzen:
                    snede = snijder.snijd(logboek.lees_ruwe_rijen(tot, na), UITSTELLEN)
                    _stuur(schrijven, pickle.dumps((tot, tuple(snede)), pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(schrijven)
        return cls(kind, lezen)

    def volgende(self, tot: int) -> Snede | None:
        """The slice up to ``tot``, or None if the child cannot give it (it is then stopped)."""
        try:
            if not self._gehoord:  # its word after the first round trip (``start``)
                if self._lees(_KOP, EERSTE_WACHT) != bytes(_KOP):
                    raise EOFError("geen woord")
                self._gehoord = True
            kop = self._lees(_KOP)
            bericht = None if kop is None else self._lees(int.from_bytes(kop, "little"))
            if bericht is None:
                raise EOFError("geen snede")
            # Our own fork's pickle, through a pipe only the two hold.
            gelezen, velden = pickle.loads(bericht)
            if gelezen != tot:
                raise ValueError(f"snede tot {gelezen}, verwacht {tot}")
            return Snede(*velden)
        except Exception:
            log.warning("voorlezer gestopt; verder zonder", exc_info=True)
            self.stop()
            return None

    def _lees(self, n: int, wacht: float | None = None) -> bytes | None:
        wacht = WACHT if wacht is None else wacht
        buffer = self._buffer
        # ``poll``, not ``select``: a service with many connections may have fds past 1024.
        poller = select.poll()
        poller.register(self._pijp, select.POLLIN)
        while len(buffer) < n:
            if not poller.poll(wacht * 1000):
                raise TimeoutError(f"voorlezer {wacht} s stil")
            stuk = os.read(self._pijp, max(1 << 20, n - len(buffer)))
            if not stuk:
                return None
            buffer += stuk
        uit = bytes(buffer[:n])
        del buffer[:n]
        return uit

    def stop(self) -> None:
        """Ends the child (if it runs still) and waits for it; measures what it used."""
        if self._kind == 0:
            return
        os.close(self._pijp)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._kind, signal.SIGKILL)
        _, _, gebruik = os.wait4(self._kind, 0)
        self.cpu_s = gebruik.ru_utime + gebruik.ru_stime
        self.piek_mb = gebruik.ru_maxrss / 1024
        self._kind = 0


def _eigen_signalen() -> None:
    """In the child: the service's handlers (uvicorn's) would only set a flag on the service's
    copy, and Python's wake-up fd is the service's event loop's: a SIGTERM or SIGINT would
    leave the child reading and tell the service to stop instead. So they end the child."""
    with contextlib.suppress(ValueError):  # not the main thread (the forking one is, after it)
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)


# A slice is 2-3 MB of pickle; through the default 64 KB pipe that is some 40 hand-overs, each
# waking the other process (on a busy machine each wake-up waits for a core). So the pipe as
# large as the system lets it be (Linux: /proc/sys/fs/pipe-max-size, 1 MB by default).
RUIMTE = (4 << 20, 1 << 20)


def _ruim(pijp: int) -> None:
    try:
        import fcntl  # POSIX only (as the fork)
    except ImportError:
        return
    for grootte in RUIMTE:
        try:
            fcntl.fcntl(pijp, fcntl.F_SETPIPE_SZ, grootte)
            return
        except (OSError, AttributeError):  # not allowed so large, or not Linux
            continue


def _stuur(pijp: int, bericht: bytes) -> None:
    data = memoryview(len(bericht).to_bytes(_KOP, "little") + bericht)
    while data:
        data = data[os.write(pijp, data) :]
