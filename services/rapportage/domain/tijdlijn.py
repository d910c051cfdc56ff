"""Bitemporal per-site timelines: every site's state after each business date on which it
changed, as known at the end of every record day on which it changed.

A report on (peildatum, kennisdatum) then costs two bisects per site: the record day picks the
timeline as it was known then, the peildatum its entry. No fold over millions of facts per
request, for any combination of the two dates. Each entry is exactly ``toestand_op`` on the facts
known then (the same fold), which the tests check on the demo history with corrections and late
registrations, for many combinations.

While facts arrive in business-date order (the common case) a site's timeline grows in place and
an earlier record day keeps only how many of its entries it knew; a second fact on the last date
appends a newer version of that entry under the same date. A fact that changes the past (a
correction, a fact dated before the last one) gives the site a new timeline; earlier record days
keep the old one.

Kept compact for the ~400,000 sites of the country: dates as day numbers in ``array``s, the facts
in columns (``Feitkolommen``), states sharing their unchanged parts (names, dates, risk dicts) with
the state before; the only object per entry is its ``Locatie``, which the reports read as is.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import ItemsView, Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from services.rapportage.domain import feitkolommen
from services.rapportage.domain.feiten import (
    _STATUS,
    CORRECTIE,
    DATUMVELD,
    GEREGISTREERD,
    PLANNING,
    RISICO,
    STATUS,
    Feit,
    Locatie,
    dag,
    fold,
    gecorrigeerd,
    geregistreerd,
    kopie,
    risico,
    scheid_correcties,
    status,
    volgende,
    volgende_enkel,
)
from services.rapportage.domain.feitkolommen import (
    DAG_US,
    ENKEL_VELD,
    EPOCHE,
    EPOCHE_DAG,
    GEEN_DATUM,
    MICROSECONDE,
    ONTBREEKT,
    Feitkolommen,
    GetypeerdeRij,
    Rij,
    code,
    codes_gelijk,
    data_van,
    microseconden,
)
from services.rapportage.domain.planfeiten import uit_waarden
from services.rapportage.domain.snede import Nummering, Snede, Snijder, vul_aan
from shared.tijd import kennismoment
from shared.vocabulaire import AFGEHANDELD

# The values of the statuses that close a site (``volgende`` reads a status change's record
# time only for those).
AFGEHANDELD_WAARDEN = frozenset(s.value for s in AFGEHANDELD)


class Tijdlijn:
    """Business-date day numbers and the state from each of them on."""

    __slots__ = ("datums", "standen")

    def __init__(self, datums: array[int], standen: list[Locatie | None]) -> None:
        self.datums = datums
        self.standen = standen

    def op(self, peildatum: date, lengte: int | None = None) -> Locatie | None:
        """The state on ``peildatum`` among the first ``lengte`` entries (default: all)."""
        eind = len(self.datums) if lengte is None else lengte
        i = bisect_right(self.datums, peildatum.toordinal(), 0, eind)
        return self.standen[i - 1] if i else None


def tijdlijn(feiten: list[Feit]) -> Tijdlijn:
    """The timeline of one site from all its facts (corrections included)."""
    gewone, correcties = scheid_correcties(feiten)
    gewone.sort(key=lambda f: f.versie)
    datums = sorted(
        {d for f in gewone if (d := f.datum(gecorrigeerd(f, correcties)[0])) is not None}
    )
    return Tijdlijn(
        array("i", [d.toordinal() for d in datums]),
        [fold(gewone, correcties, d) for d in datums],
    )


# A business day number as a date, one object per day for all states (as ``dag`` gives them).
_dag_van = lru_cache(maxsize=1 << 16)(date.fromordinal)


def registratiedag(feit: Feit) -> date:
    """The record day: a fact counts as known on a kennisdatum from this day on."""
    return feit.vastgelegd_op.astimezone(UTC).date()


# The few distinct risk dicts ({"humaan": True, ...}), kept once for all sites.
_RISICOS: dict[tuple[tuple[str, bool], ...], dict[str, bool]] = {}


def _gedeeld(stand: Locatie | None) -> Locatie | None:
    if stand is not None and stand.risicos:
        stand.risicos = gedeelde_risicos(stand.risicos)
    return stand


def gedeelde_risicos(risicos: dict[str, bool]) -> dict[str, bool]:
    """The one dict of these risks (also for a loaded snapshot)."""
    return _RISICOS.setdefault(tuple(risicos.items()), risicos)


# A record day and how many entries of the timeline were known then, in one int of the
# ``kennis`` array (``dag << LENGTE_BITS | lengte``): ordered by day, so a bisect finds a
# kennisdatum's record day; one array per site fewer than a pair (400,000 at national scale).
LENGTE_BITS = 24
LENGTE = (1 << LENGTE_BITS) - 1


def kennis(dag: int, lengte: int) -> int:
    """The ``kennis`` entry of record day ``dag`` knowing ``lengte`` entries."""
    if lengte > LENGTE:
        raise ValueError(f"meer dan {LENGTE} toestanden van één locatie")
    return dag << LENGTE_BITS | lengte


class _Site:
    """One site: its current timeline; per record day (as day numbers) how many of the entries
    of its timeline were known then (``kennis``); the timelines of earlier record days that a
    change of the past replaced (``oude``: up to which record day each held, ascending); and
    the index of its newest fact in the columns."""

    __slots__ = ("datums", "kennis", "laatste", "op_volgorde", "oude", "standen")

    def __init__(self) -> None:
        self.datums: array[int] = array("i")
        self.standen: list[Locatie | None] = []
        self.kennis: array[int] = array("q")
        self.oude: list[tuple[int, Tijdlijn]] | None = None
        self.laatste = -1
        # False once a fact was recorded on an earlier day than the one before it (clocks of
        # two writers apart): what was known on a day is then no prefix, so it is folded.
        self.op_volgorde = True

    def lijn(self, j: int) -> tuple[array[int], list[Locatie | None]]:
        """The timeline of record day ``j``."""
        if self.oude is not None and j < self.oude[-1][0]:
            for eind, oud in self.oude:
                if j < eind:
                    return oud.datums, oud.standen
        return self.datums, self.standen

    def voeg_toe(self, feit: Feit, kolommen: Feitkolommen) -> None:
        self.voeg_toe_rij(
            feit.positie,
            feit.locatie_id,
            feit.versie,
            feit.soort,
            microseconden(feit.vastgelegd_op),
            feit.data,
            kolommen,
            feit.vastgelegd_op,
        )

    def voeg_toe_rij(
        self,
        positie: int,
        locatie_id: str,
        versie: int,
        soort: str,
        vastgelegd: int,
        data: dict[str, Any],
        kolommen: Feitkolommen,
        vastgelegd_op: datetime | None = None,
    ) -> None:
        """One fact of the site, from its fields; ``vastgelegd``: its record time in
        microseconds (``vastgelegd_op``: the same as a datetime, made from it if not given).
        ``Feit.datum()`` and ``registratiedag``, spelled out: this runs for every fact of the
        log at start. A correction has no business date of its own."""
        veld = DATUMVELD.get(soort)
        waarde = data.get(veld) if veld else None
        datum = dag(waarde) if waarde else None
        self.laatste = kolommen.voeg_toe_rij(
            positie, versie, soort, data, self.laatste, vastgelegd, datum
        )
        registratie = EPOCHE_DAG + vastgelegd // DAG_US
        bekend = self.kennis
        if bekend and registratie <= (laatste := bekend[-1] >> LENGTE_BITS):
            if registratie != laatste:
                self.op_volgorde = False
            # The record days before this one keep what they knew; this one learns the fact.
            self._na(
                soort, locatie_id, data, vastgelegd, vastgelegd_op, datum, len(bekend) - 1, kolommen
            )
            bekend[-1] = kennis(laatste, len(self.datums))
        else:
            self._na(
                soort, locatie_id, data, vastgelegd, vastgelegd_op, datum, len(bekend), kolommen
            )
            bekend.append(kennis(registratie, len(self.datums)))

    def _vervang(self, nieuw: Tijdlijn, eerder: int) -> None:
        """Makes ``nieuw`` the current timeline; record days before ``eerder`` keep the old."""
        begin = self.oude[-1][0] if self.oude else 0
        if eerder > begin:
            oud = Tijdlijn(self.datums, self.standen)
            self.oude = [*(self.oude or []), (eerder, oud)]
            # Entries the change left as they were are kept once.
            for i, (d, s) in enumerate(zip(nieuw.datums, nieuw.standen, strict=True)):
                if i < len(oud.datums) and oud.datums[i] == d and oud.standen[i] == s:
                    nieuw.standen[i] = oud.standen[i]
        self.datums, self.standen = nieuw.datums, nieuw.standen

    def _na(
        self,
        soort: str,
        locatie_id: str,
        data: dict[str, Any],
        vastgelegd: int,
        vastgelegd_op: datetime | None,
        datum: date | None,
        eerder: int,
        kolommen: Feitkolommen,
    ) -> None:
        """The timeline after the site's newest fact (dated ``datum``)."""
        if datum is not None:
            dag = datum.toordinal()
            # The newest fact is applied last in every fold dated on or after its date, so the
            # state on its date is the state on the last date plus this fact. On the last date
            # itself it is a newer version of the last entry, appended under the same date: a
            # bisect finds the newest version among the entries a record day knew.
            if not self.datums or dag >= self.datums[-1]:
                vorige = self.standen[-1] if self.standen else None
                if vastgelegd_op is None and soort == STATUS:  # the only kind that reads it
                    vastgelegd_op = EPOCHE + vastgelegd * MICROSECONDE
                nieuw = volgende(
                    vorige and kopie(vorige), soort, locatie_id, data, datum, vastgelegd_op
                )
                if nieuw is not None and (vorige is None or nieuw.risicos is not vorige.risicos):
                    _gedeeld(nieuw)
                self.datums.append(dag)
                self.standen.append(nieuw)
                return
            # Dated before the last date: for the same reason every state from its date on is
            # that state plus this fact, and a new entry on its date the state before it plus
            # this fact. Unless a correction is involved (it may name this version): folded.
            if not self._met_correctie(kolommen):
                if vastgelegd_op is None and soort == STATUS:
                    vastgelegd_op = EPOCHE + vastgelegd * MICROSECONDE
                self._vervang(
                    self._teruggedateerd(dag, soort, locatie_id, data, datum, vastgelegd_op),
                    eerder,
                )
                return
        nieuw_lijn = tijdlijn(kolommen.van_site(self.laatste, locatie_id))
        nieuw_lijn.standen = [_gedeeld(s) for s in nieuw_lijn.standen]
        self._vervang(nieuw_lijn, eerder)

    def _met_correctie(self, kolommen: Feitkolommen) -> bool:
        correctie, soorten, vorige = code(CORRECTIE), kolommen.soort, kolommen.vorige
        i = self.laatste
        while i >= 0:
            if soorten[i] == correctie:
                return True
            i = vorige[i]
        return False

    def _teruggedateerd(
        self,
        dag: int,
        soort: str,
        locatie_id: str,
        data: dict[str, Any],
        datum: date,
        vastgelegd_op: datetime | None,
    ) -> Tijdlijn:
        """The timeline after the site's newest fact, dated ``dag``, before its last date."""

        def plus(stand: Locatie | None) -> Locatie | None:
            nieuw = volgende(stand and kopie(stand), soort, locatie_id, data, datum, vastgelegd_op)
            if nieuw is not None and (stand is None or nieuw.risicos is not stand.risicos):
                _gedeeld(nieuw)
            return nieuw

        i = bisect_right(self.datums, dag)
        datums = self.datums[:i]
        datums.append(dag)
        datums.extend(self.datums[i:])
        voor = self.standen[i - 1] if i else None
        return Tijdlijn(datums, [*self.standen[:i], plus(voor), *map(plus, self.standen[i:])])

    def op(
        self, peildatum: date, kennisdatum: date | None, locatie_id: str, kolommen: Feitkolommen
    ) -> Locatie | None:
        if kennisdatum is None:
            return Tijdlijn(self.datums, self.standen).op(peildatum)
        if not self.op_volgorde:
            grens = kennismoment(kennisdatum)
            gewone, correcties = scheid_correcties(
                f for f in kolommen.van_site(self.laatste, locatie_id) if f.vastgelegd_op < grens
            )
            return fold(gewone, correcties, peildatum)
        j = bisect_right(self.kennis, kennisdatum.toordinal() << LENGTE_BITS | LENGTE) - 1
        if j < 0:
            return None
        return Tijdlijn(*self.lijn(j)).op(peildatum, self.kennis[j] & LENGTE)


class Tijdlijnen:
    """Timelines of all sites, kept up to date as facts arrive (in position order)."""

    def __init__(self) -> None:
        self._sites: dict[str, _Site] = {}
        self._kolommen = Feitkolommen()

    def __len__(self) -> int:
        return len(self._kolommen)

    @property
    def kolommen(self) -> Feitkolommen:
        return self._kolommen

    def sites(self) -> ItemsView[str, _Site]:
        """Every site's timelines, for a snapshot (adapters/momentopname.py)."""
        return self._sites.items()

    @classmethod
    def uit(cls, kolommen: Feitkolommen, sites: dict[str, _Site]) -> Tijdlijnen:
        """The timelines of a snapshot: the facts in columns and every site's timelines."""
        lijnen = cls()
        lijnen._kolommen, lijnen._sites = kolommen, sites
        return lijnen

    def voeg_toe(self, nieuw: Iterable[Feit]) -> None:
        sites, kolommen = self._sites, self._kolommen
        for feit in nieuw:
            site = sites.get(feit.locatie_id)
            if site is None:
                site = sites[feit.locatie_id] = _Site()
            site.voeg_toe(feit, kolommen)

    def snijder(self) -> Snijder:
        """A slicer of the log after the facts added so far (``voeg_toe_snede``)."""

        def laatste_van(locatie_id: str) -> int:
            site = self._sites.get(locatie_id)
            return -1 if site is None else site.laatste

        return Snijder(len(self._kolommen), laatste_van)

    def voeg_toe_rijen(self, rijen: Sequence[Rij | GetypeerdeRij]) -> None:
        """``voeg_toe`` on rows of the log (``Rij``, ``GetypeerdeRij``), as the start reads it:
        no ``Feit`` and no datetime per fact, no dict for a fact read from its typed columns."""
        self.voeg_toe_snede(self.snijder().snijd(rijen), Nummering())

    def voeg_toe_snede(self, snede: Snede, nummering: Nummering) -> None:
        """The facts of a slice (``Snijder.snijd``; ``nummering``: the sites of the slices
        of the same slicer before it): their columns at once, then every fact's states, the
        common case (a fact dated on or after the site's last date) spelled out here, the rest
        through ``_Site`` as ``voeg_toe`` does. Equal to ``voeg_toe`` in everything it keeps
        (the tests compare both with the fold)."""
        if not codes_gelijk(snede.soorten):
            raise ValueError("soorten feiten met andere codes gesneden")
        sites, kolommen = self._sites, self._kolommen
        if snede.uitgesteld:
            vul_aan(snede, kolommen.inhoud_van)
        for locatie_id in snede.nieuw:
            site = sites.get(locatie_id)
            if site is None:
                site = sites[locatie_id] = _Site()
            nummering.sites.append(site)
            nummering.ids.append(locatie_id)
        op_nummer, ids = nummering.sites, nummering.ids
        soorten = feitkolommen.SOORTEN  # now: a test swaps it as a new process
        tijdstip, dagen, enkel_veld = kolommen.vastgelegd, _dag_van, ENKEL_VELD
        nieuw_object, statussen = object.__new__, _STATUS.get
        begin = index = len(kolommen)
        kolommen.voeg_toe_snede(snede)  # ``van_site`` may read a fact of this slice
        try:
            for nummer, c, registratie, d, inhoud in zip(
                snede.nummer,
                snede.soort,
                snede.registratie,
                snede.datum,
                snede.inhoud,
                strict=True,
            ):
                site = op_nummer[nummer]
                site.laatste = index
                soort = soorten[c]
                bekend = site.kennis
                laatste = bekend[-1] >> LENGTE_BITS if bekend else 0
                nieuwe_dag = registratie > laatste
                if not nieuwe_dag and registratie != laatste:
                    site.op_volgorde = False
                datums = site.datums
                if d != GEEN_DATUM and (not datums or d >= datums[-1]):
                    # ``_Site._na``'s first case: ``volgende`` on a copy of the last state,
                    # spelled out for the kinds of nine facts in ten (``kopie``,
                    # ``volgende_enkel``, ``status``; ``data_van`` not needed for a tuple).
                    datum = dagen(d)
                    standen = site.standen
                    vorige = standen[-1] if standen else None
                    if vorige is None or inhoud is ONTBREEKT:
                        nieuw = self._volgende(soort, ids[nummer], inhoud, datum, vorige, index)
                    elif soort in enkel_veld:
                        nieuw = nieuw_object(Locatie)
                        nieuw.basis = vorige.basis
                        nieuw.bevoegd_gezag = vorige.bevoegd_gezag
                        nieuw.status = vorige.status
                        nieuw.status_sinds = vorige.status_sinds
                        nieuw.afgehandeld_op = vorige.afgehandeld_op
                        nieuw.risicos = vorige.risicos
                        nieuw.eerste_beoordeling = vorige.eerste_beoordeling
                        nieuw.knelpunt = vorige.knelpunt
                        nieuw.budget_euro = vorige.budget_euro
                        nieuw.kosten_euro = vorige.kosten_euro
                        nieuw.afgehandeld_vastgelegd_op = vorige.afgehandeld_vastgelegd_op
                        nieuw.planning = vorige.planning
                        if soort == STATUS:
                            nieuw.status = nieuwe_status = (
                                statussen(inhoud) if type(inhoud) is str else None
                            ) or status(inhoud)
                            nieuw.status_sinds = datum
                            # The record time as a datetime only where the state keeps it:
                            # a status change that closes the site (most do not).
                            if nieuw.afgehandeld_op is None and nieuwe_status in AFGEHANDELD:
                                nieuw.afgehandeld_op = datum
                                nieuw.afgehandeld_vastgelegd_op = (
                                    EPOCHE + tijdstip[index] * MICROSECONDE
                                )
                        else:
                            volgende_enkel(nieuw, soort, inhoud, datum, None)
                    elif (
                        soort == RISICO
                        and type(inhoud) is tuple
                        and inhoud[0] is not ONTBREEKT
                        and inhoud[1] is not ONTBREEKT
                    ):
                        nieuw = kopie(vorige)
                        risico(nieuw, inhoud[0], inhoud[1], datum)
                        if nieuw.risicos is not vorige.risicos:
                            _gedeeld(nieuw)
                    elif soort == PLANNING and type(inhoud) is tuple:
                        nieuw = kopie(vorige)
                        onderzoek, sanering, afgehandeld = inhoud
                        nieuw.planning = uit_waarden(
                            None if onderzoek is ONTBREEKT else onderzoek,
                            None if sanering is ONTBREEKT else sanering,
                            None if afgehandeld is ONTBREEKT else afgehandeld,
                            datum,
                        )
                    else:
                        nieuw = self._volgende(soort, ids[nummer], inhoud, datum, vorige, index)
                    datums.append(d)
                    standen.append(nieuw)
                else:
                    eerder = len(bekend) - (0 if nieuwe_dag else 1)
                    op: date | None = None if d == GEEN_DATUM else dagen(d)
                    site._na(
                        soort,
                        ids[nummer],
                        {} if op is None else data_van(soort, inhoud),
                        tijdstip[index],
                        None,
                        op,
                        eerder,
                        kolommen,
                    )
                # ``kennis``, inlined.
                lengte = len(site.datums)
                if lengte > LENGTE:
                    raise ValueError(f"meer dan {LENGTE} toestanden van één locatie")
                if nieuwe_dag:
                    bekend.append(registratie << LENGTE_BITS | lengte)
                else:
                    bekend[-1] = laatste << LENGTE_BITS | lengte
                index += 1
        except BaseException:
            # The facts taken in stay (as they did fact by fact), the rest of the slice not.
            kolommen.kap_af(index)
            raise
        assert index == begin + len(snede.inhoud)

    def _volgende(
        self,
        soort: str,
        locatie_id: str,
        inhoud: Any,
        datum: date,
        vorige: Locatie | None,
        index: int,
    ) -> Locatie | None:
        """``volgende`` on a copy of ``vorige`` for the fact at ``index`` of the columns
        (content ``inhoud``, dated ``datum``), as ``_Site._na``'s first case: the rest of
        ``voeg_toe_snede``'s common case (a registration, a fact before it, missing fields)."""
        moment = None
        if (
            soort == STATUS
            and vorige is not None
            and vorige.afgehandeld_op is None
            and (type(inhoud) is not str or inhoud in AFGEHANDELD_WAARDEN)
        ):
            moment = EPOCHE + self._kolommen.vastgelegd[index] * MICROSECONDE
        if soort == GEREGISTREERD and type(inhoud) is tuple:
            gezag, gemeentecode, naam, status_waarde, bodemtype = inhoud
            if ONTBREEKT not in (gezag, gemeentecode, naam, status_waarde):
                # ``_gedeeld`` has nothing to do: a new site has no risks.
                return geregistreerd(
                    locatie_id, gezag, gemeentecode, naam, status_waarde, bodemtype, datum
                )
        if soort in ENKEL_VELD and inhoud is not ONTBREEKT:
            # A single field changes no risks.
            return volgende_enkel(vorige and kopie(vorige), soort, inhoud, datum, moment)
        nieuw = volgende(
            vorige and kopie(vorige), soort, locatie_id, data_van(soort, inhoud), datum, moment
        )
        if nieuw is not None and (vorige is None or nieuw.risicos is not vorige.risicos):
            _gedeeld(nieuw)
        return nieuw

    def feiten_van(self, onderwerp: str) -> list[Feit]:
        """Every fact of one subject as added: the programme's decisions (``afspraken``) ride
        along as a subject that never becomes a site, so a snapshot keeps them too."""
        site = self._sites.get(onderwerp)
        return [] if site is None else self._kolommen.van_site(site.laatste, onderwerp)

    def op(self, peildatum: date, kennisdatum: date | None = None) -> dict[str, Locatie]:
        """Every site registered by ``peildatum`` as it stood then, as known at the end of
        ``kennisdatum`` (default: everything added). The hot path of every report: inlined."""
        uit = {}
        zoek = bisect_right
        p = peildatum.toordinal()
        if kennisdatum is None:
            for locatie_id, site in self._sites.items():
                i = zoek(site.datums, p)
                if i and (stand := site.standen[i - 1]) is not None:
                    uit[locatie_id] = stand
            return uit
        # The last ``kennis`` entry of a record day up to the kennisdatum.
        k = kennisdatum.toordinal() << LENGTE_BITS | LENGTE
        for locatie_id, site in self._sites.items():
            if site.op_volgorde:
                bekend = site.kennis
                j = zoek(bekend, k) - 1
                if j < 0:
                    continue
                if site.oude is None or j >= site.oude[-1][0]:
                    datums, standen = site.datums, site.standen
                else:
                    datums, standen = site.lijn(j)
                i = zoek(datums, p, 0, bekend[j] & LENGTE)
                if i and (stand := standen[i - 1]) is not None:
                    uit[locatie_id] = stand
            else:
                stand = site.op(peildatum, kennisdatum, locatie_id, self._kolommen)
                if stand is not None:
                    uit[locatie_id] = stand
        return uit
