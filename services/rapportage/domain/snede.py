"""A slice of the log as the timelines take it in at start: the facts' columns, each fact's
site as a number and its content as the columns keep it. Everything of the build that needs no
site's states, so that another process can do it while this one builds the states
(``adapters/voorlezer.py``): reading the log, decoding it, telling the sites apart and chaining
their facts.

Sites are numbered in the order they first appear, per ``Snijder``: the builder keeps a list of
its sites by that number (``Nummering``), so a fact finds its site by a list index instead of
hashing its id (each row brings a new string) in a dict of 400,000 sites.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from datetime import date
from itertools import islice, repeat
from operator import add, floordiv
from sys import intern
from typing import Any, NamedTuple

from services.rapportage.domain import feitkolommen
from services.rapportage.domain.feiten import DATUMVELD, dag
from services.rapportage.domain.feitkolommen import (
    DAG_US,
    ENKEL_VELD,
    EPOCHE_DAG,
    GEEN_DATUM,
    ONTBREEKT,
    Feitkolommen,
    GetypeerdeRij,
    Rij,
    code,
    json_data,
    uit_getypeerd,
)

# The record day of a moment in microseconds since 1970: (moment + EPOCHE_US) // DAG_US.
EPOCHE_US = EPOCHE_DAG * DAG_US


class Snede(NamedTuple):
    """The facts of one slice: ``Feitkolommen``'s columns (``vorige`` the index of the site's
    previous fact, ``datum`` its business day or ``GEEN_DATUM``), per fact its site's number
    and record day, the ids of the sites first seen in it (numbered on from the slices
    before) and the kinds of facts by code as the slicer knew them (``SOORTEN``)."""

    positie: array[int]
    versie: array[int]
    soort: array[int]
    vastgelegd: array[int]
    vorige: array[int]
    datum: array[int]
    inhoud: list[Any]
    nummer: array[int]
    registratie: array[int]
    nieuw: list[str]
    soorten: list[str]
    # The facts (by index in the slice) whose content and business day the slicer left to the
    # builder (``snijd``'s ``uitstellen``): their content is still JSON text, their day
    # ``GEEN_DATUM`` (``vul_aan`` completes them).
    uitgesteld: tuple[int, ...] = ()


class Nummering:
    """The builder's side of one ``Snijder``: its sites by number, and their ids."""

    __slots__ = ("ids", "sites")

    def __init__(self) -> None:
        self.sites: list[Any] = []
        self.ids: list[str] = []


class Snijder:
    """Slices rows of the log (``Rij``, ``GetypeerdeRij``, in position order) into
    ``Snede``s. ``begin``: the index the next fact gets in the columns; ``laatste_van``: the
    index of a site's last fact before this slicer's first (-1: none)."""

    def __init__(self, begin: int, laatste_van: Callable[[str], int]) -> None:
        self._index = begin
        self._laatste_van = laatste_van
        self._nummers: dict[str, int] = {}
        self._laatste = array("i")
        # Only for ``inhoud_van`` (and the risk tuples it shares).
        self._kolommen = Feitkolommen()
        # A typed fact's business day number by its text (a few thousand texts).
        self._dagen: dict[str, int] = {}

    def snijd(
        self, rijen: Sequence[Rij | GetypeerdeRij], uitstellen: frozenset[str] = frozenset()
    ) -> Snede:
        """The slice of ``rijen``; what ``Tijdlijnen.voeg_toe_rijen`` did before its states,
        fact by fact as it did (the tests compare both ways with the fold). A row may also
        bring its data as JSON text (``Stroom.lees_ruwe_rijen``): read here, or for a kind in
        ``uitstellen`` left to the builder as it is (``Snede.uitgesteld``, ``vul_aan``): the
        child that reads the log ahead so gives the service part of its work when the service
        would wait for it (the two processes on two cores as evenly loaded as may be)."""
        # The fixed-width columns at once (the known kinds' codes by a plain lookup).
        # Looked up now: the codes are the process's (a test swaps them as a new process).
        codes = feitkolommen._CODES.get
        # The rows' first six fields as columns (both shapes of row have them), in C.
        posities, ids, versies, soort_teksten, tijden, datas = (
            islice(zip(*rijen, strict=False), 6) if rijen else ((),) * 6
        )
        soorten = list(map(codes, soort_teksten))
        if None in soorten:
            soorten = list(map(code, soort_teksten))
        vastgelegd = array("q", tijden)
        nummers, laatste, nieuw = self._nummers, self._laatste, []
        zoek, laatste_van = nummers.get, self._laatste_van
        datumveld, enkel_veld = DATUMVELD.get, ENKEL_VELD.get
        inhoud_van, dagen = self._kolommen.inhoud_van, self._dagen
        dag_van = dagen.get
        nummer_l: list[int] = []
        vorige_l: list[int] = []
        datum_l: list[int] = []
        inhoud_l: list[Any] = []
        kol_datum, kol_vorige = datum_l.append, vorige_l.append
        kol_inhoud, kol_nummer = inhoud_l.append, nummer_l.append
        index = begin = self._index
        uitgesteld: list[int] = []
        # Two shapes of row (typed or not): read by index, as ``Any``.
        alle: Sequence[Any] = rijen
        for rij, locatie_id, soort, data in zip(alle, ids, soort_teksten, datas, strict=True):
            nummer = zoek(locatie_id)
            if nummer is None:
                nummer = nummers[locatie_id] = len(laatste)
                laatste.append(laatste_van(locatie_id))
                nieuw.append(locatie_id)
            kol_nummer(nummer)
            kol_vorige(laatste[nummer])
            laatste[nummer] = index
            index += 1
            if data is None:  # a ``GetypeerdeRij``: its date and its one field
                tekst = rij[6]
                # The day number by its text: ``dag(tekst).toordinal()``, once per text.
                d = dag_van(tekst) if tekst else GEEN_DATUM
                if d is None:
                    d = dagen[tekst] = dag(tekst).toordinal()
                if d == GEEN_DATUM:  # as the fact without typed columns (rare)
                    inhoud = inhoud_van(soort, uit_getypeerd(soort, tekst, rij[7], rij[8]), None)
                else:
                    inhoud = rij[8] if rij[7] is None else rij[7]
                    if type(inhoud) is str and len(inhoud) <= 16:  # ``inhoud_van``, inlined
                        inhoud = intern(inhoud)
            else:
                if type(data) is str:  # JSON text (``Stroom.lees_ruwe_rijen``)
                    if soort in uitstellen:
                        uitgesteld.append(index - 1 - begin)
                        kol_datum(GEEN_DATUM)
                        kol_inhoud(data)
                        continue
                    data = json_data(data)
                veld = datumveld(soort)
                tekst = data.get(veld) if veld else None
                datum = dag(tekst) if tekst else None
                d = GEEN_DATUM if datum is None else datum.toordinal()
                enkel = enkel_veld(soort)
                if enkel is not None and datum is not None:
                    inhoud = data.get(enkel, ONTBREEKT)
                    if type(inhoud) is str and len(inhoud) <= 16:
                        inhoud = intern(inhoud)
                else:
                    inhoud = inhoud_van(soort, data, datum)
            kol_datum(d)
            kol_inhoud(inhoud)
        self._index = index
        return Snede(
            array("q", posities),
            array("i", versies),
            array("B", soorten),  # type: ignore[arg-type]
            vastgelegd,
            array("i", vorige_l),
            array("i", datum_l),
            inhoud_l,
            array("i", nummer_l),
            # The record day, ``EPOCHE_DAG + v // DAG_US``, in C.
            array("i", map(floordiv, map(add, tijden, repeat(EPOCHE_US)), repeat(DAG_US))),
            nieuw,
            list(feitkolommen.SOORTEN),
            tuple(uitgesteld),
        )


def vul_aan(snede: Snede, inhoud_van: Callable[[str, dict[str, Any], date | None], Any]) -> None:
    """Completes the facts the slicer left to the builder (``Snede.uitgesteld``): their content
    and business day from their JSON text, as ``Snijder.snijd`` makes them of a row's data
    (``inhoud_van``: ``Feitkolommen.inhoud_van`` of the builder's columns)."""
    soorten, datums, inhoud = snede.soorten, snede.datum, snede.inhoud
    for i in snede.uitgesteld:
        soort = soorten[snede.soort[i]]
        data = json_data(inhoud[i])
        veld = DATUMVELD.get(soort)
        tekst = data.get(veld) if veld else None
        datum = dag(tekst) if tekst else None
        enkel = ENKEL_VELD.get(soort)
        if enkel is not None and datum is not None:
            waarde = data.get(enkel, ONTBREEKT)
            if type(waarde) is str and len(waarde) <= 16:
                waarde = intern(waarde)
        else:
            waarde = inhoud_van(soort, data, datum)
        datums[i] = GEEN_DATUM if datum is None else datum.toordinal()
        inhoud[i] = waarde
