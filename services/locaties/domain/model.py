"""The Spoedlocatie aggregate: a contaminated site with urgent risks, rebuilt from its events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from services.locaties.domain import regels, standen
from services.locaties.domain.events import (
    BevoegdGezagOvergedragen,
    BudgetToegekend,
    KnelpuntVastgesteld,
    KostenGeboekt,
    PlanningVastgesteld,
    RegistratieGecorrigeerd,
    RisicoBeoordeeld,
    SpoedlocatieGeregistreerd,
    StatusGewijzigd,
    registry,
)
from services.locaties.domain.fouten import OngeldigeTransitie, OngeldigeWaarde
from services.locaties.domain.standen import Risico as Risico
from services.locaties.domain.standen import Statusregel as Statusregel
from services.locaties.domain.standen import Toestand, bedrijfsdatum_van
from shared.aggregate import Aggregate
from shared.vocabulaire import (
    AFGEHANDELD,
    Knelpunt,
    RisicoType,
    Status,
)

# Fields of earlier events that a correction may replace. Not who the site belongs to (a
# transfer is its own command), not its id or status (those follow from the lifecycle), not
# the type of a risk (assess the other type instead); transfers and corrections themselves are
# never corrected.
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


def business_time(d: date) -> datetime:
    """Midnight UTC of a business date: the ``occurred_at`` of its event."""
    moment = _BUSINESS_TIME.get(d)
    if moment is None:
        if len(_BUSINESS_TIME) >= 100_000:  # (the rules allow ~15,000 dates; a bound anyway)
            _BUSINESS_TIME.clear()
        moment = _BUSINESS_TIME[d] = datetime.combine(d, time(0), tzinfo=UTC)
    return moment


# Per business date its midnight, made once (~1.8 µs for ``datetime.combine``, every event of an
# import); a datetime never changes, so one object serves every event of that date.
_BUSINESS_TIME: dict[date, datetime] = {}


class Spoedlocatie(Aggregate):
    stream_type: ClassVar[str] = "spoedlocatie"
    registry = registry

    def __init__(self, locatie_id: str) -> None:
        super().__init__(locatie_id)
        self.history: list[Any] = []  # as recorded; a correction needs the events it corrects
        # The current state, what the rules of the next command are checked on. Views of other
        # moments (peildatum, the bitemporal rows) are folded in the projection (standen.py).
        self.stand = Toestand()

    # -- reading -------------------------------------------------------------------------

    @property
    def status(self) -> Status:
        return self.stand.status

    @property
    def bevoegd_gezag(self) -> str:
        return self.stand.bevoegd_gezag

    @property
    def status_sinds(self) -> date:
        return self.stand.statushistorie[-1].datum

    @property
    def afgehandeld_op(self) -> date | None:
        for regel in self.stand.statushistorie:
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
    ) -> Spoedlocatie:
        locatie = cls(locatie_id)
        locatie._neem_op(
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
            )
        )
        return locatie

    def wijzig_status(self, naar: Status, besluitdatum: date, toelichting: str) -> None:
        self._neem_op(
            StatusGewijzigd(
                van=self.status, naar=naar, besluitdatum=besluitdatum, toelichting=toelichting
            )
        )

    def beoordeel_risico(
        self,
        risicotype: RisicoType,
        vastgesteld: bool,
        criteria: tuple[str, ...],
        datum: date,
        toelichting: str,
    ) -> None:
        self._neem_op(
            RisicoBeoordeeld(
                risicotype=risicotype,
                vastgesteld=vastgesteld,
                criteria=tuple(sorted(set(criteria))),
                beoordelingsdatum=datum,
                toelichting=toelichting,
            )
        )

    def stel_knelpunt_vast(self, knelpunt: Knelpunt, datum: date, toelichting: str) -> None:
        self._neem_op(KnelpuntVastgesteld(knelpunt=knelpunt, datum=datum, toelichting=toelichting))

    def ken_budget_toe(self, bedrag_euro: int, datum: date, bron: str) -> None:
        self._neem_op(BudgetToegekend(bedrag_euro=bedrag_euro, datum=datum, bron=bron))

    def boek_kosten(self, bedrag_euro: int, datum: date, omschrijving: str) -> None:
        self._neem_op(
            KostenGeboekt(bedrag_euro=bedrag_euro, datum=datum, omschrijving=omschrijving)
        )

    def draag_over(self, naar: str, datum: date, reden: str) -> None:
        self._neem_op(
            BevoegdGezagOvergedragen(van=self.bevoegd_gezag, naar=naar, datum=datum, reden=reden)
        )

    def stel_planning_vast(
        self,
        onderzoek_gereed: date | None,
        start_sanering: date | None,
        afgehandeld: date | None,
        datum: date,
        reden: str,
    ) -> None:
        """A plan is revised by a new plan with its reason, never corrected: the plans made
        earlier are what the midterm review measures against."""
        self._neem_op(
            PlanningVastgesteld(
                onderzoek_gereed=onderzoek_gereed,
                start_sanering=start_sanering,
                afgehandeld=afgehandeld,
                datum=datum,
                reden=reden,
            )
        )

    def gebeurtenis(self, versie: int) -> Any:
        """The event recorded as ``versie`` (as recorded, without corrections)."""
        if not 1 <= versie <= len(self.history):
            raise OngeldigeWaarde(
                "gecorrigeerdeVersie",
                f"deze locatie heeft geen versie {versie} (laatste: {len(self.history)})",
            )
        return self.history[versie - 1]

    def corrigeer(self, versie: int, correctie: dict[str, Any], reden: str) -> None:
        """Replace fields of the event of ``versie``. Only the fields ``CORRIGEERBAAR`` lists
        for its type, in their stored (JSON) form; the corrected history must keep every rule
        a command is held to, so a correction can never make a site unreadable or wrong."""
        doel = self.gebeurtenis(versie)
        toegestaan = CORRIGEERBAAR.get(type(doel), frozenset())
        if not toegestaan:
            raise OngeldigeWaarde("gecorrigeerdeVersie", f"een {doel.TYPE} is niet te corrigeren")
        if not correctie:
            raise OngeldigeWaarde(
                "correctie", f"noem de velden die je corrigeert: {', '.join(sorted(toegestaan))}"
            )
        for veld in correctie:
            if veld not in toegestaan:
                raise OngeldigeWaarde(
                    f"correctie.{_api_naam(veld)}",
                    f"niet corrigeerbaar in een {doel.TYPE}; corrigeerbaar zijn: "
                    f"{', '.join(sorted(_api_naam(v) for v in toegestaan))}",
                )
        event = RegistratieGecorrigeerd(
            gecorrigeerde_versie=versie, correctie=correctie, reden=reden
        )
        # Through the registry, as it will be read back: the stored form is what must hold.
        name, _, data = registry.encode(event)
        proef = Spoedlocatie(self.id)
        proef.history = [*self.history, registry.decode(name, 1, data)]
        voor, na = self.schendingen(), proef.schendingen()
        nieuw = [(plek, waarom) for plek, waarom in na.items() if plek not in voor]
        if nieuw:
            (bij_versie, veld), waarom = nieuw[0]
            if veld not in correctie:
                veld = next(iter(correctie)) if len(correctie) == 1 else ""
            raise OngeldigeWaarde(
                f"correctie.{_api_naam(veld)}" if veld else "correctie",
                f"na deze correctie klopt de historie niet meer (versie {bij_versie}): {waarom}",
            )
        self._record(event, datetime.now(UTC))

    def schendingen(self) -> dict[tuple[int, str], str]:
        """Every rule the history with its corrections breaks, as {(version, field): reason}.
        Empty for anything written through the commands; a correction may not add to it."""
        stand = Toestand()
        correcties = standen.correcties(self.history)
        uit: dict[tuple[int, str], str] = {}
        onleesbaar = (ValueError, TypeError, KeyError, IndexError, AttributeError)
        for versie, event in enumerate(self.history, start=1):
            if isinstance(event, RegistratieGecorrigeerd):
                continue
            try:
                event = standen.met_correcties(event, correcties.get(versie, ()))
                try:
                    regels.controleer(stand, event)
                except OngeldigeTransitie as exc:
                    uit[(versie, "naar")] = str(exc)
                except OngeldigeWaarde as exc:
                    uit[(versie, _snake(exc.veld))] = exc.reden
                stand = standen.stap(stand, event)
            except onleesbaar as exc:
                # Nothing after an event that cannot be read or applied can be judged.
                uit[(versie, "")] = f"onleesbaar: {exc}"
                break
        return uit

    def _neem_op(self, event: Any) -> None:
        # Who asked and why is stamped on the events by the unit of work that saves them.
        self._controleer(event)
        self._record(event, business_time(bedrijfsdatum_van(event)))

    def _controleer(self, event: Any) -> None:
        regels.controleer(self.stand, event)

    # -- applying events -----------------------------------------------------------------

    def when(self, event: Any) -> None:
        self.history.append(event)
        if isinstance(event, RegistratieGecorrigeerd):
            self.stand = standen.huidig(self.history)
        else:
            self.stand = standen.stap(self.stand, event)

    def toestand(self) -> dict[str, Any]:
        """The current state as plain data (for the read model and the API)."""
        return dataclasses.asdict(self.stand)


def _api_naam(veld: str) -> str:
    """The API's name of an event field: bedrag_euro -> bedragEuro."""
    eerste, *rest = veld.split("_")
    return eerste + "".join(deel.title() for deel in rest)


def _snake(veld: str) -> str:
    """The event's name of an API field: bedragEuro -> bedrag_euro."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in veld)
