"""Random corrections against sites with a history, seeded: random versions, random field names
(correctable, not correctable, misspelt) and random values of random types (plausible ones,
impossible ones, NaN and Infinity tokens, wrong types). Never a 500; a refusal is a 4xx problem
and stores nothing; what is accepted keeps every site and list page readable, with money never
negative and dates within bounds. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic.alias_generators import to_camel
from sqlalchemy import Engine

from services.locaties.domain.model import CORRIGEERBAAR
from shared.auth import Rol, mint_dev_token
from shared.http.problems import PROBLEM_JSON
from shared.vocabulaire import CRITERIA, Knelpunt, Status
from tests.support.locaties import NIEUW, SECRET, locaties_client, token
from tests.support.locaties_lezen import lees_alles
from tests.support.opslag import aantallen

ZH = token()
POGINGEN = 300
NAN, INF = float("nan"), float("inf")

CORRIGEERBARE_NAMEN = sorted({to_camel(v) for velden in CORRIGEERBAAR.values() for v in velden})
ANDERE_NAMEN = [
    "bevoegdGezag",
    "locatieId",
    "status",
    "van",
    "risicotype",
    "bedrag_euro",
    "Naam",
    "",
    "__class__",
    "naam\u202e",
    "x" * 300,
]
CRITERIUMS = sorted({c for cs in CRITERIA.values() for c in cs})
ONZIN: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    10**30,
    1.5,
    NAN,
    INF,
    -INF,
    "",
    " \t ",
    "\u202eabc",
    "a\u0000b",
    "x" * 5000,
    "2013-02-30",
    "9999-12-31",
    "0001-01-01",
    [],
    [1, "a"],
    {},
    {"a": 1},
    {"type": "Point"},
    {"type": "Point", "coordinates": [1e308, 1e308]},
    {"type": "Point", "coordinates": [NAN, 52.0]},
    {"type": "GeometryCollection", "geometries": []},
]


def _datum(rnd: random.Random) -> str:
    if rnd.random() < 0.7:  # around the history's own dates
        return (date(2010, 1, 1) + timedelta(days=rnd.randrange(365 * 5))).isoformat()
    return (date(1984, 1, 1) + timedelta(days=rnd.randrange(365 * 50))).isoformat()


def _geometrie(rnd: random.Random) -> Any:
    return rnd.choice(
        [
            {"type": "Point", "coordinates": [rnd.uniform(3.0, 7.5), rnd.uniform(50.5, 54.0)]},
            {
                "type": "Point",
                "coordinates": [rnd.uniform(0, 300_000), rnd.uniform(280_000, 650_000)],
            },
            {"type": "Point", "coordinates": [4.7, 52.0, rnd.choice([NAN, 3.0, 1e12])]},
            {
                "type": "Polygon",
                "coordinates": [[[4.7, 52.0], [4.71, 52.0], [4.71, 52.01], [4.7, 52.0]]],
            },
            {
                "type": "Polygon",
                "coordinates": [
                    [[4.7, 52.0], [4.71, 52.01], [4.71, 52.0], [4.7, 52.01], [4.7, 52.0]]
                ],
            },
            {"type": "LineString", "coordinates": [[4.7, 52.0]]},
            None,
        ]
    )


# Plausible values per field: some pass, many break a rule of the domain.
PLAUSIBEL: dict[str, Callable[[random.Random], Any]] = {
    "naam": lambda r: r.choice(["Gasfabriek", "  Stortplaats  ", "Goude\u0301", "Ω-terrein"]),
    "gemeentecode": lambda r: r.choice(["0513", "0484", "0363", "0000", "513", "../../etc"]),
    "bodemtype": lambda r: r.choice(["landbodem", "waterbodem", "lucht"]),
    "verontreinigingsgroepen": lambda r: r.choice([["pak"], [], ["metalen", "pak"], ["plutonium"]]),
    "geometrie": _geometrie,
    "registratiedatum": _datum,
    "besluitdatum": _datum,
    "beoordelingsdatum": _datum,
    "datum": _datum,
    "naar": lambda r: r.choice(list(Status)),
    "toelichting": lambda r: r.choice(["", "nader onderzoek", "  ", "regel\nregel", "\u2066x"]),
    "bron": lambda r: r.choice(["convenant", "", "noodclausule"]),
    "omschrijving": lambda r: r.choice(["sanering", "", "\x07"]),
    "vastgesteld": lambda r: r.choice([True, False]),
    "criteria": lambda r: r.sample(CRITERIUMS, k=r.randint(0, 3)),
    "knelpunt": lambda r: r.choice([*list(Knelpunt), "onbekend"]),
    "bedragEuro": lambda r: r.randint(-150_000, 150_000),
}


def _correctie(rnd: random.Random, versie: Any) -> dict[str, Any]:
    """Mostly fields of the corrected event (so some corrections pass), else any name."""
    eigen = VELDEN_PER_VERSIE.get(versie) if isinstance(versie, int) else None
    correctie: dict[str, Any] = {}
    for _ in range(rnd.choice([1, 1, 1, 2, 3])):
        kans = rnd.random()
        if eigen and kans < 0.6:
            veld = rnd.choice(eigen)
        else:
            veld = rnd.choice(CORRIGEERBARE_NAMEN if kans < 0.9 else ANDERE_NAMEN)
        plausibel = PLAUSIBEL.get(veld)
        correctie[veld] = plausibel(rnd) if plausibel and rnd.random() < 0.7 else rnd.choice(ONZIN)
    return correctie


def _versie(rnd: random.Random, laatste: int) -> Any:
    if rnd.random() < 0.9:
        return rnd.randint(1, laatste)
    return rnd.choice([0, -1, laatste + 1, 2**31, "1", None, 1.5])


GESCHIEDENIS = [
    ("statuswijzigingen", {"naar": "onderzocht", "besluitdatum": "2010-06-01"}),
    ("statuswijzigingen", {"naar": "ernstig-spoed", "besluitdatum": "2010-11-01"}),
    (
        "risicobeoordelingen",
        {
            "risicotype": "humaan",
            "vastgesteld": True,
            "criteria": ["ingestie-grond"],
            "beoordelingsdatum": "2010-11-01",
        },
    ),
    ("knelpunten", {"knelpunt": "financieel", "datum": "2011-02-01"}),
    ("budgettoekenningen", {"bedragEuro": 100_000, "datum": "2011-03-01"}),
    ("budgettoekenningen", {"bedragEuro": -30_000, "datum": "2012-01-01"}),
    ("statuswijzigingen", {"naar": "saneringsplan", "besluitdatum": "2012-03-01"}),
    ("kostenboekingen", {"bedragEuro": 50_000, "datum": "2013-01-01"}),
    ("statuswijzigingen", {"naar": "sanering-gestart", "besluitdatum": "2013-02-01"}),
]


PAD_NAAR_EVENT = {
    "statuswijzigingen": "StatusGewijzigd",
    "risicobeoordelingen": "RisicoBeoordeeld",
    "knelpunten": "KnelpuntVastgesteld",
    "budgettoekenningen": "BudgetToegekend",
    "kostenboekingen": "KostenGeboekt",
}
_PER_TYPE = {soort.__name__: sorted(map(to_camel, v)) for soort, v in CORRIGEERBAAR.items()}
VELDEN_PER_VERSIE = {
    1: _PER_TYPE["SpoedlocatieGeregistreerd"],
    **{v: _PER_TYPE[PAD_NAAR_EVENT[pad]] for v, (pad, _) in enumerate(GESCHIEDENIS, start=2)},
}


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _sites(api: TestClient) -> dict[str, int]:
    versies: dict[str, int] = {}
    for gemeente in ("0513", "0484", "0637"):
        geometrie = {"type": "Point", "coordinates": [107000.0, 447000.0]}
        r = api.post(
            "/v1/spoedlocaties",
            json={**NIEUW, "gemeentecode": gemeente, "geometrie": geometrie},
            headers={**ZH, "Content-Crs": "EPSG:28992"},
        )
        assert r.status_code == 201, r.text
        locatie_id = r.json()["locatieId"]
        for versie, (pad, body) in enumerate(GESCHIEDENIS, start=1):
            r = api.post(
                f"/v1/spoedlocaties/{locatie_id}/{pad}",
                json=body,
                headers={**ZH, "If-Match": f'"{versie}"'},
            )
            assert r.status_code == 201, (pad, r.text)
        versies[locatie_id] = len(GESCHIEDENIS) + 1
    return versies


def test_random_corrections_never_break_a_read(api: TestClient, sql_engine: Engine) -> None:
    rnd = random.Random(10)
    versies = _sites(api)
    fouten: list[str] = []
    gezien: dict[int, int] = {}
    for poging in range(POGINGEN):
        locatie_id = rnd.choice(sorted(versies))
        versie = _versie(rnd, versies[locatie_id])
        body = {
            "gecorrigeerdeVersie": versie,
            "correctie": _correctie(rnd, versie),
            "reden": rnd.choice(["typefout", "", "\u202e"]),
        }
        # A login that never acted: a refused correction must not make it a person either.
        nieuw = mint_dev_token(SECRET, f"fuzz-{poging}@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
        headers = {
            "Authorization": f"Bearer {nieuw}",
            "Content-Type": "application/json",
            "If-Match": f'"{versies[locatie_id]}"',
        }
        crs = rnd.choice([None, "EPSG:28992", "OGC:CRS84"])
        if crs:
            headers["Content-Crs"] = crs
        voor = aantallen(sql_engine)
        r = api.post(
            f"/v1/spoedlocaties/{locatie_id}/correcties",
            content=json.dumps(body, allow_nan=True).encode(),
            headers=headers,
        )
        gezien[r.status_code] = gezien.get(r.status_code, 0) + 1
        wat = f"#{poging} {json.dumps(body, allow_nan=True)[:300]} {crs}: {r.status_code}"
        if r.status_code >= 500:
            fouten.append(f"{wat} {r.text[:300]}")
        elif r.status_code == 201:
            versies[locatie_id] += 1
            lezen = api.get(f"/v1/spoedlocaties/{locatie_id}", headers=ZH)
            if lezen.status_code != 200:
                fouten.append(f"{wat}, then GET: {lezen.status_code} {lezen.text[:300]}")
        else:
            if r.headers.get("content-type") != PROBLEM_JSON or r.status_code >= 500:
                fouten.append(f"{wat} is no problem+json")
            if (na := aantallen(sql_engine)) != voor:
                fouten.append(f"{wat} stored something: {voor} -> {na}")
    assert not fouten, "\n".join(fouten[:30])
    assert lees_alles(api, ZH) == []
    # Both ways are taken: plenty refused, and some corrections get through every check.
    assert gezien.get(201, 0) >= 5 and gezien.get(400, 0) >= POGINGEN // 2, gezien
    for locatie_id in versies:
        site = api.get(f"/v1/spoedlocaties/{locatie_id}", headers=ZH).json()
        assert site["budgetEuro"] >= 0 and site["kostenEuro"] >= 0
        assert date(1987, 1, 1) <= date.fromisoformat(site["registratiedatum"]) <= date.today()
        assert site["naam"] == site["naam"].strip() and "\u202e" not in site["naam"]
