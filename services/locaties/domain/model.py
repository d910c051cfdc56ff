"""The Spoedlocatie aggregate: a contaminated site with urgent risks, rebuilt from its events."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from services.locaties.domain.events import (
    BevoegdGezagOvergedragen,
    BudgetToegekend,
    KnelpuntVastgesteld,
    KostenGeboekt,
    RegistratieGecorrigeerd,
    RisicoBeoordeeld,
    SpoedlocatieGeregistreerd,
    StatusGewijzigd,
    registry,
)
from shared import bevoegde_gezagen
from shared.aggregate import Aggregate
from shared.eventstore import EventMetadata
from shared.vocabulaire import (
    AFGEHANDELD,
    CRITERIA,
    TRANSITIES,
    Knelpunt,
    RisicoType,
    Status,
)


class DomeinFout(Exception):
    """A command that the rules of the domain refuse."""


class OngeldigeTransitie(DomeinFout):
    def __init__(self, van: Status, naar: Status) -> None:
        toegestaan = sorted(TRANSITIES[van])
        wat = ", ".join(toegestaan) if toegestaan else "geen: dit is een eindstatus"
        super().__init__(
            f"Van status '{van}' kan een locatie niet naar '{naar}'. "
            f"Toegestaan vanaf '{van}': {wat}."
        )
        self.van = van
        self.naar = naar
        self.toegestaan = toegestaan


class OngeldigeWaarde(DomeinFout):
    def __init__(self, veld: str, reden: str) -> None:
        super().__init__(f"{veld}: {reden}")
        self.veld = veld
        self.reden = reden


# Fields of earlier events that a correction may replace.
CORRIGEERBAAR: dict[type[Any], frozenset[str]] = {
    SpoedlocatieGeregistreerd: frozenset(
        {
            "naam",
            "gemeentecode",
            "bodemtype",
            "verontreinigingsgroepen",
            "geometrie",
            "registratiedatum",
        }
    ),
    StatusGewijzigd: frozenset({"naar", "besluitdatum", "toelichting"}),
    RisicoBeoordeeld: frozenset({"vastgesteld", "criteria", "beoordelingsdatum", "toelichting"}),
    KnelpuntVastgesteld: frozenset({"knelpunt", "datum", "toelichting"}),
    BudgetToegekend: frozenset({"bedrag_euro", "datum", "bron"}),
    KostenGeboekt: frozenset({"bedrag_euro", "datum", "omschrijving"}),
}


@dataclass
class Risico:
    vastgesteld: bool
    criteria: tuple[str, ...]
    beoordelingsdatum: date


@dataclass
class Statusregel:
    status: Status
    datum: date


def business_time(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


@dataclass
class _Toestand:
    bevoegd_gezag: str = ""
    gemeentecode: str = ""
    naam: str = ""
    bodemtype: str = ""
    verontreinigingsgroepen: tuple[str, ...] = ()
    geometrie: dict[str, Any] | None = None
    registratiedatum: date | None = None
    status: Status = Status.POTENTIEEL_SPOED
    statushistorie: list[Statusregel] = field(default_factory=list)
    risicos: dict[RisicoType, Risico] = field(default_factory=dict)
    knelpunt: Knelpunt | None = None
    budget_euro: int = 0
    kosten_euro: int = 0


class Spoedlocatie(Aggregate):
    stream_type: ClassVar[str] = "spoedlocatie"
    registry = registry

    def __init__(self, locatie_id: str) -> None:
        super().__init__(locatie_id)
        self.history: list[Any] = []
        self.t = _Toestand()

    # -- reading -------------------------------------------------------------------------

    @property
    def status(self) -> Status:
        return self.t.status

    @property
    def bevoegd_gezag(self) -> str:
        return self.t.bevoegd_gezag

    @property
    def status_sinds(self) -> date:
        return self.t.statushistorie[-1].datum

    @property
    def afgehandeld_op(self) -> date | None:
        for regel in self.t.statushistorie:
            if regel.status in AFGEHANDELD:
                return regel.datum
        return None

    # -- commands ------------------------------------------------------------------------

    @classmethod
    def registreer(
        cls,
        locatie_id: str,
        bevoegd_gezag: str,
        gemeentecode: str,
        naam: str,
        bodemtype: str,
        verontreinigingsgroepen: tuple[str, ...],
        geometrie: dict[str, Any] | None,
        registratiedatum: date,
        meta: EventMetadata,
    ) -> Spoedlocatie:
        gezag = bevoegde_gezagen.get(bevoegd_gezag)
        if gezag is None:
            raise OngeldigeWaarde("bevoegdGezag", f"onbekend bevoegd gezag {bevoegd_gezag!r}")
        if gemeentecode not in gezag.gemeentecodes:
            raise OngeldigeWaarde(
                "gemeentecode",
                f"gemeente {gemeentecode} valt niet onder bevoegd gezag {bevoegd_gezag}",
            )
        _niet_in_de_toekomst("registratiedatum", registratiedatum)
        locatie = cls(locatie_id)
        locatie._record(
            SpoedlocatieGeregistreerd(
                locatie_id=locatie_id,
                bevoegd_gezag=bevoegd_gezag,
                gemeentecode=gemeentecode,
                naam=naam,
                bodemtype=bodemtype,
                verontreinigingsgroepen=verontreinigingsgroepen,
                geometrie=geometrie,
                status=Status.POTENTIEEL_SPOED,
                registratiedatum=registratiedatum,
            ),
            business_time(registratiedatum),
            meta,
        )
        return locatie

    def wijzig_status(
        self, naar: Status, besluitdatum: date, toelichting: str, meta: EventMetadata
    ) -> None:
        if naar not in TRANSITIES[self.status]:
            raise OngeldigeTransitie(self.status, naar)
        self._na_vorige_besluit("besluitdatum", besluitdatum)
        self._record(
            StatusGewijzigd(
                van=self.status, naar=naar, besluitdatum=besluitdatum, toelichting=toelichting
            ),
            business_time(besluitdatum),
            meta,
        )

    def beoordeel_risico(
        self,
        risicotype: RisicoType,
        vastgesteld: bool,
        criteria: tuple[str, ...],
        datum: date,
        toelichting: str,
        meta: EventMetadata,
    ) -> None:
        onbekend = sorted(set(criteria) - CRITERIA[risicotype])
        if onbekend:
            raise OngeldigeWaarde(
                "criteria",
                f"geen criteria voor {risicotype}: "
                f"{', '.join(onbekend)}; kies uit "
                f"{', '.join(sorted(CRITERIA[risicotype]))}",
            )
        if vastgesteld and not criteria:
            raise OngeldigeWaarde("criteria", "een vastgesteld risico noemt minstens één criterium")
        self._na_registratie("beoordelingsdatum", datum)
        self._record(
            RisicoBeoordeeld(
                risicotype=risicotype,
                vastgesteld=vastgesteld,
                criteria=tuple(sorted(set(criteria))),
                beoordelingsdatum=datum,
                toelichting=toelichting,
            ),
            business_time(datum),
            meta,
        )

    def stel_knelpunt_vast(
        self, knelpunt: Knelpunt, datum: date, toelichting: str, meta: EventMetadata
    ) -> None:
        self._na_registratie("datum", datum)
        self._record(
            KnelpuntVastgesteld(knelpunt=knelpunt, datum=datum, toelichting=toelichting),
            business_time(datum),
            meta,
        )

    def ken_budget_toe(self, bedrag_euro: int, datum: date, bron: str, meta: EventMetadata) -> None:
        if bedrag_euro == 0:
            raise OngeldigeWaarde("bedragEuro", "een toekenning van 0 euro verandert niets")
        if self.t.budget_euro + bedrag_euro < 0:
            raise OngeldigeWaarde("bedragEuro", "het toegekende budget kan niet negatief worden")
        self._na_registratie("datum", datum)
        self._record(
            BudgetToegekend(bedrag_euro=bedrag_euro, datum=datum, bron=bron),
            business_time(datum),
            meta,
        )

    def boek_kosten(
        self, bedrag_euro: int, datum: date, omschrijving: str, meta: EventMetadata
    ) -> None:
        if bedrag_euro <= 0:
            raise OngeldigeWaarde(
                "bedragEuro",
                "kosten zijn een positief bedrag; corrigeer "
                "een verkeerde boeking met een correctie",
            )
        self._na_registratie("datum", datum)
        self._record(
            KostenGeboekt(bedrag_euro=bedrag_euro, datum=datum, omschrijving=omschrijving),
            business_time(datum),
            meta,
        )

    def draag_over(self, naar: str, datum: date, reden: str, meta: EventMetadata) -> None:
        if bevoegde_gezagen.get(naar) is None:
            raise OngeldigeWaarde("naar", f"onbekend bevoegd gezag {naar!r}")
        if naar == self.bevoegd_gezag:
            raise OngeldigeWaarde("naar", f"de locatie valt al onder {naar}")
        self._na_registratie("datum", datum)
        self._record(
            BevoegdGezagOvergedragen(van=self.bevoegd_gezag, naar=naar, datum=datum, reden=reden),
            business_time(datum),
            meta,
        )

    def corrigeer(
        self, versie: int, correctie: dict[str, Any], reden: str, meta: EventMetadata
    ) -> None:
        if not 1 <= versie <= len(self.history):
            raise OngeldigeWaarde(
                "gecorrigeerdeVersie",
                f"deze locatie heeft geen versie {versie} (laatste: {len(self.history)})",
            )
        doel = self.history[versie - 1]
        toegestaan = CORRIGEERBAAR.get(type(doel), frozenset())
        niet = sorted(set(correctie) - toegestaan)
        if not toegestaan:
            raise OngeldigeWaarde("gecorrigeerdeVersie", f"een {doel.TYPE} is niet te corrigeren")
        if niet or not correctie:
            raise OngeldigeWaarde(
                "correctie", f"corrigeerbaar in {doel.TYPE}: {', '.join(sorted(toegestaan))}"
            )
        # Try the corrected history first: it must still be a valid lifecycle.
        proef = Spoedlocatie(self.id)
        name, _, data = registry.encode(RegistratieGecorrigeerd(versie, correctie, reden))
        try:
            for event in [*self.history, registry.decode(name, 1, data)]:
                proef.when(event)
        except (DomeinFout, ValueError, TypeError) as exc:
            raise OngeldigeWaarde(
                "correctie", f"na deze correctie klopt de historie niet meer: {exc}"
            ) from exc
        self._record(
            RegistratieGecorrigeerd(gecorrigeerde_versie=versie, correctie=correctie, reden=reden),
            datetime.now(UTC),
            meta,
        )

    # -- applying events -----------------------------------------------------------------

    def when(self, event: Any) -> None:
        self.history.append(event)
        if isinstance(event, RegistratieGecorrigeerd):
            self._herbouw()
        else:
            self._pas_toe(event)

    def _gecorrigeerd(self, versie: int, event: Any) -> Any:
        for later in self.history[versie:]:
            if isinstance(later, RegistratieGecorrigeerd) and later.gecorrigeerde_versie == versie:
                name, schema, data = registry.encode(event)
                event = registry.decode(name, schema, {**data, **later.correctie})
        return event

    def _herbouw(self, peildatum: date | None = None) -> None:
        self.t = _Toestand()
        for versie, event in enumerate(self.history, start=1):
            if isinstance(event, RegistratieGecorrigeerd):
                continue
            event = self._gecorrigeerd(versie, event)
            if peildatum is not None and _bedrijfsdatum(event) > peildatum:
                continue
            self._pas_toe(event, replay=True)

    def peildata(self) -> list[date]:
        """The business dates on which the state changed (corrections applied), ascending."""
        return sorted(
            {
                _bedrijfsdatum(self._gecorrigeerd(versie, event))
                for versie, event in enumerate(self.history, start=1)
                if not isinstance(event, RegistratieGecorrigeerd)
            }
        )

    def op_peildatum(self, peildatum: date) -> bool:
        """Fold the state back to how it stood on ``peildatum`` (business dates, corrections
        included); False when the site was not yet registered then. Read-only afterwards."""
        eerste = self._gecorrigeerd(1, self.history[0])
        if _bedrijfsdatum(eerste) > peildatum:
            return False
        self._herbouw(peildatum)
        return True

    def _pas_toe(self, event: Any, replay: bool = False) -> None:
        t = self.t
        match event:
            case SpoedlocatieGeregistreerd():
                t.bevoegd_gezag = event.bevoegd_gezag
                t.gemeentecode = event.gemeentecode
                t.naam = event.naam
                t.bodemtype = event.bodemtype
                t.verontreinigingsgroepen = tuple(event.verontreinigingsgroepen)
                t.geometrie = event.geometrie
                t.registratiedatum = event.registratiedatum
                t.status = Status(event.status)
                t.statushistorie = [Statusregel(t.status, event.registratiedatum)]
            case StatusGewijzigd():
                naar = Status(event.naar)
                if replay and naar not in TRANSITIES[t.status]:
                    raise OngeldigeTransitie(t.status, naar)
                if replay and event.besluitdatum < t.statushistorie[-1].datum:
                    raise OngeldigeWaarde(
                        "besluitdatum",
                        f"{event.besluitdatum} ligt voor het "
                        f"vorige besluit ({t.statushistorie[-1].datum})",
                    )
                t.status = naar
                t.statushistorie.append(Statusregel(naar, event.besluitdatum))
            case RisicoBeoordeeld():
                t.risicos[RisicoType(event.risicotype)] = Risico(
                    event.vastgesteld, tuple(event.criteria), event.beoordelingsdatum
                )
            case KnelpuntVastgesteld():
                t.knelpunt = Knelpunt(event.knelpunt)
            case BudgetToegekend():
                t.budget_euro += event.bedrag_euro
            case KostenGeboekt():
                t.kosten_euro += event.bedrag_euro
            case BevoegdGezagOvergedragen():
                t.bevoegd_gezag = event.naar
            case _:
                raise TypeError(f"unknown event {type(event).__name__}")

    # -- rules ---------------------------------------------------------------------------

    def _na_registratie(self, veld: str, datum: date) -> None:
        _niet_in_de_toekomst(veld, datum)
        if self.t.registratiedatum and datum < self.t.registratiedatum:
            raise OngeldigeWaarde(
                veld, f"{datum} ligt voor de registratie ({self.t.registratiedatum})"
            )

    def _na_vorige_besluit(self, veld: str, datum: date) -> None:
        _niet_in_de_toekomst(veld, datum)
        if datum < self.status_sinds:
            raise OngeldigeWaarde(
                veld, f"{datum} ligt voor het vorige besluit ({self.status_sinds})"
            )

    def toestand(self) -> dict[str, Any]:
        """The current state as plain data (for the read model and the API)."""
        return dataclasses.asdict(self.t)


def _bedrijfsdatum(event: Any) -> date:
    for veld in ("besluitdatum", "registratiedatum", "beoordelingsdatum", "datum"):
        if hasattr(event, veld):
            waarde: date = getattr(event, veld)
            return waarde
    raise TypeError(f"{type(event).__name__} heeft geen bedrijfsdatum")


def _niet_in_de_toekomst(veld: str, datum: date) -> None:
    if datum > datetime.now(UTC).date():
        raise OngeldigeWaarde(veld, f"{datum} ligt in de toekomst")
