"""The bulk fold's content tuples (``projection.Inhoud``, parts reused from the previous state)
equal ``stand_rij``'s columns for every state of any history, in order and type."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.locaties.adapters.projection import INHOUD_KOLOMMEN, Inhoud, stand_rij
from services.locaties.domain import events as ev
from services.locaties.domain.standen import Toestand, stap
from shared.vocabulaire import Knelpunt, RisicoType, Status

DATUMS = st.dates(date(1990, 1, 1), date(2020, 12, 31))
GEOMETRIE = st.one_of(
    st.none(),
    st.just({"type": "Point", "coordinates": [84123.5, 447000.25]}),
    st.just({"type": "LineString", "coordinates": [[84000.0, 447000.0], [85000.5, 446000.0]]}),
)
GEZAG = st.sampled_from(["ZH", "NH", "GM0363", "XX"])
TEKST = st.sampled_from(["", "reden", "tab\there"])

REGISTRATIE = st.builds(
    ev.SpoedlocatieGeregistreerd,
    locatie_id=st.just("ZH051300001"),
    bevoegd_gezag=GEZAG,
    gemeentecode=st.just("0513"),
    naam=st.sampled_from(["Locatie 1", "ß€ 𝄞"]),
    bodemtype=st.sampled_from(["landbodem", "waterbodem"]),
    verontreinigingsgroepen=st.lists(st.sampled_from(["zware-metalen", "pak"])).map(tuple),
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
        criteria=st.lists(st.sampled_from(["ingestie-grond", "a", "b"]), max_size=3).map(tuple),
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
        ev.BudgetToegekend, bedrag_euro=st.integers(-(10**6), 10**6), datum=DATUMS, bron=TEKST
    ),
    st.builds(
        ev.KostenGeboekt, bedrag_euro=st.integers(1, 10**6), datum=DATUMS, omschrijving=TEKST
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


def _getypt(waarde: Any) -> Any:
    """The value with its types, so a str is not taken for an equal StrEnum."""
    if isinstance(waarde, dict):
        return ("dict", [(k, _getypt(v)) for k, v in waarde.items()])
    if isinstance(waarde, list | tuple):
        return (type(waarde).__name__, [_getypt(v) for v in waarde])
    return (type(waarde), waarde)


def test_the_content_columns_are_stand_rij_s_but_id_version_and_time() -> None:
    registratie = ev.SpoedlocatieGeregistreerd(
        "ZH051300001",
        "ZH",
        "0513",
        "n",
        "landbodem",
        (),
        None,
        "potentieel-spoed",
        date(2010, 1, 1),
    )
    rij = stand_rij("x", 1, stap(Toestand(), registratie))
    kolommen = [k for k in rij if k not in ("locatie_id", "versie", "bijgewerkt_op")]
    assert tuple(kolommen) == INHOUD_KOLOMMEN


@settings(max_examples=300, deadline=None)
@given(REGISTRATIE, st.lists(EVENT, max_size=12))
def test_each_state_s_content_equals_stand_rij_s(
    registratie: ev.SpoedlocatieGeregistreerd, volgende: list[Any]
) -> None:
    inhoud = Inhoud()
    stand = Toestand()
    for event in [registratie, *volgende]:
        stand = stap(stand, event)
        rij = stand_rij("ZH051300001", 1, stand)
        assert _getypt(inhoud(stand)) == _getypt(tuple(rij[k] for k in INHOUD_KOLOMMEN))
