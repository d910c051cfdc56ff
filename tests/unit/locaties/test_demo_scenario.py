"""The demo history is valid for the domain and close to the published figures."""

from __future__ import annotations

from datetime import date

from services.locaties.domain import commands
from services.locaties.domain.demo_scenario import scenario
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import FakeLocatiesUnitOfWork
from shared.auth import Principal, Rol
from shared.vocabulaire import AFGEHANDELD, RisicoType


def _namens(gezag: str) -> handlers.Actor:
    """Each bevoegd gezag plays its own sites, as `make demo` does with its own token."""
    return handlers.Actor(Principal(f"demo@{gezag}", Rol.BEVOEGD_GEZAG, gezag))


def _dag(waarde: str | None) -> date | None:
    return date.fromisoformat(waarde) if waarde else None


def _speel_in_domein(schaal: float) -> FakeLocatiesUnitOfWork:
    uow = FakeLocatiesUnitOfWork()
    for s in scenario(schaal, seed=7):
        r = s.registratie
        actor = _namens(s.bevoegd_gezag)
        locatie = handlers.handle(
            commands.RegistreerSpoedlocatie(
                r["bevoegdGezag"],
                r["gemeentecode"],
                r["naam"],
                r["bodemtype"],
                tuple(r["verontreinigingsgroepen"]),
                r["geometrie"],
                date.fromisoformat(r["registratiedatum"]),
            ),
            uow.namens(actor),
        )
        for stap in s.stappen:
            b = stap.body
            v = locatie.version
            if stap.pad == "statuswijzigingen":
                locatie = handlers.handle(
                    commands.WijzigStatus(
                        locatie.id,
                        v,
                        b["naar"],
                        date.fromisoformat(b["besluitdatum"]),
                        b["toelichting"],
                    ),
                    uow.namens(actor),
                )
            elif stap.pad == "risicobeoordelingen":
                locatie = handlers.handle(
                    commands.BeoordeelRisico(
                        locatie.id,
                        v,
                        RisicoType(b["risicotype"]),
                        b["vastgesteld"],
                        tuple(b["criteria"]),
                        date.fromisoformat(b["beoordelingsdatum"]),
                        "",
                    ),
                    uow.namens(actor),
                )
            elif stap.pad == "knelpunten":
                locatie = handlers.handle(
                    commands.StelKnelpuntVast(
                        locatie.id, v, b["knelpunt"], date.fromisoformat(b["datum"]), ""
                    ),
                    uow.namens(actor),
                )
            elif stap.pad == "budgettoekenningen":
                locatie = handlers.handle(
                    commands.KenBudgetToe(
                        locatie.id, v, b["bedragEuro"], date.fromisoformat(b["datum"]), b["bron"]
                    ),
                    uow.namens(actor),
                )
            elif stap.pad == "kostenboekingen":
                locatie = handlers.handle(
                    commands.BoekKosten(
                        locatie.id, v, b["bedragEuro"], date.fromisoformat(b["datum"]), ""
                    ),
                    uow.namens(actor),
                )
            elif stap.pad == "planningen":
                locatie = handlers.handle(
                    commands.StelPlanningVast(
                        locatie.id,
                        v,
                        None,
                        _dag(b["startSanering"]),
                        _dag(b["afgehandeld"]),
                        date.fromisoformat(b["datum"]),
                        b["reden"],
                    ),
                    uow.namens(actor),
                )
            else:
                raise AssertionError(stap.pad)
    return uow


def test_every_demo_site_plays_through_the_lifecycle_and_humane_ones_mostly_in_time() -> None:
    uow = _speel_in_domein(0.4)
    with uow:
        ids = {e.stream_id for e in uow.store.log}
        locaties = [uow.locaties.get(i) for i in ids]
    assert 600 <= len(locaties) <= 700
    humaan = [
        x
        for x in locaties
        if x.stand.risicos.get(RisicoType.HUMAAN) and x.stand.risicos[RisicoType.HUMAAN].vastgesteld
    ]
    op_tijd = [x for x in humaan if x.afgehandeld_op and x.afgehandeld_op <= date(2015, 12, 31)]
    assert 0.15 < len(humaan) / len(locaties) < 0.35
    assert 0.70 < len(op_tijd) / len(humaan) < 0.95
    afgehandeld = [x for x in locaties if x.status in AFGEHANDELD]
    assert len(afgehandeld) > len(locaties) / 2
