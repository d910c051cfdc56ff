"""The rapportage unit of work: reads of the facts of both streams, and the facts already read
into the process (``Geheugen``), which outlive it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import Pool

from services.rapportage.adapters import projection
from services.rapportage.adapters.projection import Stroom
from services.rapportage.domain.feiten import Feit
from services.rapportage.domain.feitkolommen import (
    GetypeerdeRij,
    Rij,
    getypeerd,
    microseconden,
)
from services.rapportage.service_layer.geheugen import Geheugen
from shared.unit_of_work import Scope


class Logboek(Protocol):
    """One stream's facts in the read model (spoedlocaties or kennis)."""

    @property
    def naam(self) -> str: ...

    def watermark(self) -> int: ...

    def lees_feiten(self, tot_en_met: int, na: int) -> list[Feit]: ...

    def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]:
        """``lees_feiten`` as rows (``Rij``; ``GetypeerdeRij`` for a fact with typed columns),
        as the timelines read the log at start."""
        ...

    def lees_ruwe_rijen(self, tot_en_met: int, na: int) -> list[Any]:
        """``lees_rijen``, a fact without typed columns possibly with its data as JSON text
        (``Stroom.lees_ruwe_rijen``): for the child that reads the log ahead."""
        ...

    def apart_leesbaar(self) -> bool:
        """Whether a forked child can read the same facts (``adapters/voorlezer.py``)."""
        ...

    def na_fork(self) -> None:
        """In a forked child, before it reads: connections of its own, never the parent's."""
        ...

    def binding(self, positie: int) -> Mapping[str, Any]: ...


class RapportageUnitOfWork(Scope, Protocol):
    @property
    def spoedlocaties(self) -> Logboek: ...

    @property
    def kennis(self) -> Logboek: ...

    @property
    def geheugen(self) -> Geheugen:
        """The facts, reports and states kept between units of work."""
        ...


# In a forked child: the pools it inherited (``SqlLogboek.na_fork``).
_GEERFD: list[Pool] = []


class SqlLogboek:
    """Each read in a short transaction of its own, as before there was a unit of work: a
    request that waits for the facts' lock (a first load takes seconds) must not hold a pooled
    connection meanwhile. Every read is consistent on its own; reports only use facts up to a
    watermark, which never moves back."""

    def __init__(self, sessions: sessionmaker[Session], stroom: Stroom) -> None:
        self._sessions = sessions
        self._stroom = stroom

    @property
    def naam(self) -> str:
        return self._stroom.naam

    def watermark(self) -> int:
        with self._sessions() as session:
            return self._stroom.watermark(session)

    def lees_feiten(self, tot_en_met: int, na: int) -> list[Feit]:
        with self._sessions() as session:
            return self._stroom.lees_feiten(session, tot_en_met, na=na)

    def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]:
        with self._sessions() as session:
            return self._stroom.lees_rijen(session, tot_en_met, na=na)

    def lees_ruwe_rijen(self, tot_en_met: int, na: int) -> list[Any]:
        if not self._stroom.met_typen:
            return list(self.lees_rijen(tot_en_met, na))
        with self._sessions() as session:
            return self._stroom.lees_ruwe_rijen(session, tot_en_met, na=na)

    def apart_leesbaar(self) -> bool:
        # An in-memory SQLite database is this process's own: a child's connection would
        # open an empty one.
        url = self._engine.url
        return not (
            url.get_backend_name() == "sqlite"
            and (url.database in (None, "", ":memory:") or "mode=memory" in str(url))
        )

    def na_fork(self) -> None:
        # SQLAlchemy's way for a forked child: a new pool, the parent's connections untouched.
        # The old pool stays referenced in the child: collected, its sqlite3 connections would
        # be closed there, a use SQLite forbids across fork (the child ends with ``os._exit``,
        # so nothing of it is ever finalized).
        _GEERFD.append(self._engine.pool)
        self._engine.dispose(close=False)

    @property
    def _engine(self) -> Engine:
        bind = self._sessions.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    def binding(self, positie: int) -> Mapping[str, Any]:
        with self._sessions() as session:
            return self._stroom.binding(session, positie)


class _ReadOnlyUnitOfWork(Scope):
    """Nothing to commit: a unit of work here only reads, so leaving it undoes nothing."""

    def rollback(self) -> None:
        pass


class SqlRapportageUnitOfWork(_ReadOnlyUnitOfWork):
    def __init__(self, sessions: sessionmaker[Session], geheugen: Geheugen) -> None:
        self.geheugen = geheugen
        self.spoedlocaties: Logboek = SqlLogboek(sessions, projection.SPOEDLOCATIES)
        self.kennis: Logboek = SqlLogboek(sessions, projection.KENNIS)

    def __enter__(self) -> Self:
        return self


class FakeLogboek:
    """For unit tests: the facts in a list; the watermark is the last one's position unless
    set; the binding names the position, as the real one does (hash and anchor left empty)."""

    def __init__(self, naam: str, feiten: list[Feit] | None = None) -> None:
        self._naam = naam
        self.feiten: list[Feit] = feiten if feiten is not None else []
        self.vaste_watermark: int | None = None

    @property
    def naam(self) -> str:
        return self._naam

    def watermark(self) -> int:
        if self.vaste_watermark is not None:
            return self.vaste_watermark
        return max((f.positie for f in self.feiten), default=0)

    def lees_feiten(self, tot_en_met: int, na: int) -> list[Feit]:
        return [f for f in self.feiten if na < f.positie <= tot_en_met]

    def lees_rijen(self, tot_en_met: int, na: int) -> list[Rij | GetypeerdeRij]:
        """As the read model gives them: from the typed columns where a fact has them."""
        uit: list[Rij | GetypeerdeRij] = []
        for f in self.lees_feiten(tot_en_met, na):
            kop = (f.positie, f.locatie_id, f.versie, f.soort, microseconden(f.vastgelegd_op))
            g = getypeerd(f.soort, f.data)
            uit.append((*kop, f.data) if g is None else (*kop, None, *g))
        return uit

    def lees_ruwe_rijen(self, tot_en_met: int, na: int) -> list[Any]:
        return list(self.lees_rijen(tot_en_met, na))  # the data as dicts: read as they are

    def apart_leesbaar(self) -> bool:
        return True  # a forked child has a copy of the list

    def na_fork(self) -> None:
        pass

    def binding(self, positie: int) -> Mapping[str, Any]:
        return {"bron": f"fake-{self._naam}", "positie": positie, "hash": None, "anker": None}


class FakeRapportageUnitOfWork(_ReadOnlyUnitOfWork):
    def __init__(
        self,
        spoedlocaties: list[Feit] | None = None,
        kennis: list[Feit] | None = None,
        geheugen: Geheugen | None = None,
    ) -> None:
        self.spoedlocaties = FakeLogboek("spoedlocaties", spoedlocaties)
        self.kennis = FakeLogboek("kennis", kennis)
        self.geheugen = geheugen or Geheugen()
        self.geopend = 0

    def __enter__(self) -> Self:
        self.geopend += 1
        return self
