"""A command's 201 body (``representation.stand_json``, built straight from the site's state)
is byte for byte the response model's own serialisation (``van_stand(...).model_dump_json``),
the oracle: over any folded state, and over histories the domain accepts, corrections
included."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st

from services.locaties.domain import events as ev
from services.locaties.domain.fouten import DomeinFout
from services.locaties.domain.geometrie import CRS84, RD
from services.locaties.domain.model import Spoedlocatie
from services.locaties.domain.standen import Toestand, stap
from services.locaties.entrypoints.representation import stand_json, van_stand
from shared import bevoegde_gezagen
from shared.vocabulaire import CRITERIA, TRANSITIES, Knelpunt, RisicoType, Status


def _oracle(locatie_id: str, versie: int, stand: Toestand, crs: str) -> bytes:
    return van_stand(locatie_id, versie, stand, crs).model_dump_json(by_alias=True).encode()


DATUMS = st.dates()
TEKST = st.text(max_size=12)
GEZAG = st.sampled_from(sorted(bevoegde_gezagen.BY_CODE)) | TEKST  # unknown: provincie = code
GETAL = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**6), 10**6)
POSITIE = st.one_of(
    st.tuples(st.floats(0, 306_000), st.floats(285_000, 638_000)).map(list),
    st.tuples(st.integers(0, 306_000), st.integers(285_000, 638_000)).map(list),
    st.tuples(st.floats(0, 306_000), st.floats(285_000, 638_000), GETAL).map(list),  # height
)
RING = st.lists(POSITIE, min_size=1, max_size=4)
GEOMETRIE = st.one_of(
    st.none(),
    st.builds(lambda c: {"type": "Point", "coordinates": c}, POSITIE),
    st.builds(lambda c: {"type": "LineString", "coordinates": c}, RING),
    st.builds(
        lambda c: {"type": "Polygon", "coordinates": c}, st.lists(RING, min_size=1, max_size=2)
    ),
    st.builds(
        lambda c: {"type": "MultiPolygon", "coordinates": c},
        st.lists(st.lists(RING, min_size=1, max_size=2), min_size=1, max_size=2),
    ),
)

REGISTRATIE = st.builds(
    ev.SpoedlocatieGeregistreerd,
    locatie_id=st.just("ZH051300001"),
    bevoegd_gezag=GEZAG,
    gemeentecode=TEKST,
    naam=st.text(max_size=40),
    bodemtype=st.sampled_from(["landbodem", "waterbodem"]) | TEKST,
    verontreinigingsgroepen=st.lists(TEKST, max_size=3).map(tuple),
    geometrie=GEOMETRIE,
    status=st.sampled_from([str(s) for s in Status]),
    registratiedatum=DATUMS,
)
EVENT = st.one_of(
    st.builds(
        ev.StatusGewijzigd,
        van=st.just("x"),
        naar=st.sampled_from([str(s) for s in Status]),
        besluitdatum=DATUMS,
        toelichting=TEKST,
    ),
    st.builds(
        ev.RisicoBeoordeeld,
        risicotype=st.sampled_from([str(r) for r in RisicoType]),
        vastgesteld=st.booleans(),
        criteria=st.lists(TEKST, max_size=3).map(tuple),
        beoordelingsdatum=DATUMS,
        toelichting=TEKST,
    ),
    st.builds(
        ev.KnelpuntVastgesteld,
        knelpunt=st.sampled_from([str(k) for k in Knelpunt]),
        datum=DATUMS,
        toelichting=TEKST,
    ),
    st.builds(
        ev.BudgetToegekend,
        bedrag_euro=st.integers(-(2**62), 2**62),
        datum=DATUMS,
        bron=TEKST,
    ),
    st.builds(
        ev.KostenGeboekt, bedrag_euro=st.integers(1, 2**62), datum=DATUMS, omschrijving=TEKST
    ),
    st.builds(ev.BevoegdGezagOvergedragen, van=st.just("x"), naar=GEZAG, datum=DATUMS, reden=TEKST),
    st.builds(
        ev.PlanningVastgesteld,
        onderzoek_gereed=st.none() | DATUMS,
        start_sanering=st.none() | DATUMS,
        afgehandeld=st.none() | DATUMS,
        datum=DATUMS,
        reden=TEKST,
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    REGISTRATIE,
    st.lists(EVENT, max_size=12),
    st.sampled_from([CRS84, RD]),
    st.integers(1, 2**31 - 1),
    st.text(max_size=12),
)
def test_the_body_of_any_state_is_the_response_model_s(
    registratie: ev.SpoedlocatieGeregistreerd,
    volgende: list[Any],
    crs: str,
    versie: int,
    locatie_id: str,
) -> None:
    stand = Toestand()
    for gebeurtenis in [registratie, *volgende]:
        stand = stap(stand, gebeurtenis)
        assert stand_json(locatie_id, versie, stand, crs) == _oracle(locatie_id, versie, stand, crs)


# -- through the domain: only what its rules accept, corrections included ---------------------

GEWONE_DATUMS = st.dates(date(1990, 1, 1), date(2020, 12, 31))
NAAM = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "Zs", "P", "S"]), min_size=1, max_size=30
)
GEO_RD = st.none() | st.builds(
    lambda x, y: {"type": "Point", "coordinates": [x, y]},
    st.floats(10_000, 280_000).map(lambda v: round(v, 2)),
    st.floats(300_000, 600_000).map(lambda v: round(v, 2)),
)


def _stap(locatie: Spoedlocatie, data: st.DataObject) -> None:
    """One command or correction drawn at random; what the domain refuses is left out."""
    d = data.draw(GEWONE_DATUMS)
    soort = data.draw(st.integers(0, 7))
    if soort <= 1 and TRANSITIES[locatie.status]:
        naar = data.draw(st.sampled_from(sorted(TRANSITIES[locatie.status])))
        locatie.wijzig_status(naar, max(d, locatie.status_sinds), data.draw(NAAM))
    elif soort == 2:
        risicotype = data.draw(st.sampled_from(list(RisicoType)))
        criteria = data.draw(st.lists(st.sampled_from(sorted(CRITERIA[risicotype])), min_size=1))
        locatie.beoordeel_risico(risicotype, data.draw(st.booleans()), tuple(criteria), d, "")
    elif soort == 3:
        locatie.stel_knelpunt_vast(data.draw(st.sampled_from(list(Knelpunt))), d, "")
    elif soort == 4:
        locatie.ken_budget_toe(data.draw(st.integers(1, 10**9)), d, "convenant")
    elif soort == 5:
        locatie.boek_kosten(data.draw(st.integers(1, 10**6)), d, "")
    elif soort == 6:
        locatie.draag_over(data.draw(st.sampled_from(["NH", "UT", "GM0363", "ZH"])), d, "r")
    else:
        versie = data.draw(st.integers(1, locatie.version))
        correctie: dict[str, Any] = data.draw(
            st.sampled_from(
                [
                    {"naam": data.draw(NAAM)},
                    {"geometrie": data.draw(GEO_RD)},
                    {"registratiedatum": d.isoformat()},
                    {"besluitdatum": d.isoformat()},
                    {"bedrag_euro": data.draw(st.integers(1, 10**6))},
                    {"knelpunt": str(data.draw(st.sampled_from(list(Knelpunt))))},
                    {"vastgesteld": data.draw(st.booleans())},
                ]
            )
        )
        locatie.corrigeer(versie, correctie, "correctie")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), NAAM, GEO_RD, GEWONE_DATUMS, st.sampled_from([CRS84, RD]))
def test_the_body_after_every_command_the_domain_accepts_is_the_response_model_s(
    data: st.DataObject, naam: str, geometrie: dict[str, Any] | None, d: date, crs: str
) -> None:
    try:
        locatie = Spoedlocatie.registreer(
            "ZH051300001", "ZH", "0513", naam, "landbodem", ("pak",), geometrie, d
        )
    except DomeinFout:
        reject()
    for _ in range(data.draw(st.integers(0, 14))):
        try:
            _stap(locatie, data)
        except DomeinFout:
            continue
        event(f"status {locatie.status}")  # (--hypothesis-show-statistics: what was reached)
        if isinstance(locatie.history[-1], ev.RegistratieGecorrigeerd):
            event("correctie")
        assert stand_json(locatie.id, locatie.version, locatie.stand, crs) == _oracle(
            locatie.id, locatie.version, locatie.stand, crs
        )


def test_every_status_reaches_the_body_as_the_model_writes_it() -> None:
    for status in Status:
        stand = Toestand()
        stand = stap(
            stand,
            ev.SpoedlocatieGeregistreerd(
                "ZH051300001",
                "ZH",
                "0513",
                "n",
                "landbodem",
                (),
                None,
                str(status),
                date(2010, 1, 4),
            ),
        )
        body = stand_json("ZH051300001", 1, stand, CRS84)
        assert body == _oracle("ZH051300001", 1, stand, CRS84)
        assert f'"status":"{status}"'.encode() in body


def test_a_value_orjson_cannot_write_takes_the_model_s_way() -> None:
    stand = stap(
        Toestand(),
        ev.SpoedlocatieGeregistreerd(
            "ZH051300001", "ZH", "0513", "n", "landbodem", (), None, "onderzocht", date(2010, 1, 4)
        ),
    )
    stand = stap(stand, ev.BudgetToegekend(2**70, date(2011, 1, 1), "convenant"))
    assert stand_json("ZH051300001", 2, stand, CRS84) == _oracle("ZH051300001", 2, stand, CRS84)
    assert f'"budgetEuro":{2**70}'.encode() in stand_json("ZH051300001", 2, stand, CRS84)


def test_a_text_neither_can_write_fails_as_the_model_fails() -> None:
    stand = stap(
        Toestand(),
        ev.SpoedlocatieGeregistreerd(
            "ZH051300001",
            "ZH",
            "0513",
            "a\ud800",
            "landbodem",
            (),
            None,
            "onderzocht",
            date(2010, 1, 4),
        ),
    )
    with pytest.raises(ValueError) as oracle:
        _oracle("ZH051300001", 1, stand, CRS84)
    with pytest.raises(ValueError) as nieuw:
        stand_json("ZH051300001", 1, stand, CRS84)
    assert type(nieuw.value) is type(oracle.value)
