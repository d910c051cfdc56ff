"""`make demo`'s programme history and inventory: its decisions pass the API's schemas and the
domain, its envelopes hold the covenant's money, and its inventory builds up like the published
counts (about 1,400 sites known in 2012, of which 359 with a humane risk; about 1,650 in 2013),
as the rapportage service counts them."""

from __future__ import annotations

from datetime import date

import pytest

from bench.rapportage_schaal import feiten as demo_feiten
from services.locaties.domain import programma as domein
from services.locaties.domain.demo_programma import (
    TOTAAL_EURO,
    WATERBODEM_EURO,
    besluiten,
)
from services.locaties.entrypoints.routes_programma import AfspraakIn, EnvelopIn
from services.locaties.service_layer import programma as service
from services.locaties.service_layer.programma import FakeProgrammaUnitOfWork
from services.locaties.service_layer.unit_of_work import Actor
from services.rapportage.domain import rapporten
from services.rapportage.domain.afspraken import afspraken_op
from services.rapportage.domain.feiten import Feit, toestand_op
from shared.auth import Principal, Rol


def _speel() -> FakeProgrammaUnitOfWork:
    uow = FakeProgrammaUnitOfWork()
    for stap in besluiten():
        actor = Actor(Principal(f"demo-{stap.rol}", Rol(stap.rol), None))
        uow.namens(actor)
        besluit = domein.Besluit(
            stap.body["besluit"]["id"],
            date.fromisoformat(stap.body["besluit"]["datum"]),
            stap.body["besluit"]["titel"],
        )
        versie = service.lees(uow).version
        if stap.pad == "afspraken":
            b = AfspraakIn.model_validate(stap.body)
            cmd: domein.Programmacommando = domein.StelAfspraakVast(
                versie, b.afspraak, b.deadline, b.doel_percentage, b.ingangsdatum, besluit
            )
        else:
            e = EnvelopIn.model_validate(stap.body)
            cmd = domein.StelEnvelopVast(
                versie, e.bevoegd_gezag, e.doel, e.bedrag_euro, e.ingangsdatum, besluit
            )
        service.handle(cmd, uow)
    return uow


def _als_feiten(uow: FakeProgrammaUnitOfWork) -> list[Feit]:
    """The recorded events as rapportage reads them, recorded on their decision's date."""
    return [
        Feit(n, e.stream_id, e.version, e.event_type, e.occurred_at, dict(e.data))
        for n, e in enumerate(uow.store.log, start=1)
    ]


def test_the_demo_decisions_pass_the_api_and_the_domain_and_hold_the_covenants_money() -> None:
    uow = _speel()
    programma = service.lees(uow)
    assert programma.version == len(besluiten())
    feiten = _als_feiten(uow)
    nu = afspraken_op(feiten, date(2014, 1, 1))
    assert sum(e.bedrag_euro for e in nu.enveloppen.values()) == TOTAAL_EURO
    assert sum(e.bedrag_euro for (_, doel), e in nu.enveloppen.items() if doel == "waterbodem") == (
        WATERBODEM_EURO
    )
    # The revisions of 2013 took effect mid-2013: before it Groningen had less.
    groningen = afspraken_op(feiten, date(2013, 6, 30)).envelop("GR", "land")
    assert groningen is not None and nu.envelop("GR", "land") is not None
    assert nu.envelop("GR", "land").bedrag_euro - groningen.bedrag_euro == 12_000_000  # type: ignore[union-attr]
    # The deadlines moved as the record has it, each naming its decision.
    assert afspraken_op(feiten, date(2011, 1, 1))["overzicht-spoedlocaties"].deadline == date(
        2010, 12, 31
    )
    overzicht = afspraken_op(feiten, date(2012, 1, 1))["overzicht-spoedlocaties"]
    assert (overzicht.deadline, overzicht.besluit.id) == (date(2012, 7, 1), "SG-2011-02")
    assert afspraken_op(feiten, date(2013, 1, 1))["overzicht-overig"].deadline == date(2013, 7, 1)
    assert afspraken_op(feiten, date(2014, 1, 1))["alle"].besluit.id == "SG-2013-02"
    assert afspraken_op(feiten, date(2017, 1, 1))["alle"].besluit.id == "convenant-2016"
    assert afspraken_op(feiten, date(2017, 1, 1))["humaan"].deadline == date(2015, 12, 31)


@pytest.fixture(scope="module")
def samenvattingen() -> dict[date, dict[str, int]]:
    feiten = demo_feiten(1.0)  # the history `make demo` plays by default (seed 2010)
    return {
        d: rapporten.voortgang(toestand_op(feiten, d), d, 0).inhoud["samenvatting"]
        for d in (date(2012, 12, 31), date(2013, 12, 31))
    }


def test_the_demo_inventory_builds_up_like_the_published_counts(
    samenvattingen: dict[date, dict[str, int]],
) -> None:
    eind_2012, eind_2013 = samenvattingen[date(2012, 12, 31)], samenvattingen[date(2013, 12, 31)]
    assert 1_330 <= eind_2012["geregistreerd"] <= 1_470  # about 1,400 (5 %)
    assert 341 <= eind_2012["humaan"] <= 377  # 359 (5 %)
    assert 1_570 <= eind_2013["geregistreerd"] <= 1_730  # about 1,650 (5 %)
