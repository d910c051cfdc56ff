"""Every write operation of the three APIs, tried by every role, as owner and as someone else:
the service answers what the one policy (shared/beleid.py) says, 403 or success, and a refusal
stores nothing.

The operations come from the services' own OpenAPI documents, and each names its rule in
``x-beleid``: a new write without a rule, a rule without a route, or a rule without a scenario
below fails this test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app as locaties_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared import beleid
from shared.auth import Principal, Rol, mint_dev_token
from shared.http.problems import PROBLEM_JSON
from tests.support.locaties import NIEUW, SECRET
from tests.support.opslag import aantallen

SCHRIJVEN = ("post", "put", "patch", "delete")
EIGENAAR = Principal("eigen@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
PROGRAMMA = Principal("programma@bodem.nl", Rol.UITVOERINGSPROGRAMMA, None)
ANTWOORDER = Principal("antwoorder@ut.nl", Rol.BEVOEGD_GEZAG, "UT")
VRAAG = {"titel": "WKO", "tekst": "Mag WKO in een pluim?", "themas": ["bodemenergie-wko"]}


def _headers(p: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(SECRET, p.sub, p.rol, p.organisatie)}"}


def _wie(rol: Rol, eigen: bool) -> Principal:
    """The acting principal: the owner's own side, or someone else with the same role."""
    if rol is Rol.BEVOEGD_GEZAG:
        return EIGENAAR if eigen else Principal("ander@ut.nl", rol, "UT")
    return Principal(f"{'eigen' if eigen else 'ander'}-{rol}@bodem.nl", rol, None)


@dataclass
class Geval:
    """One try: the path's parameters, the body, and what the operation acts on."""

    pad: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    betreft: beleid.Betreft = field(default_factory=beleid.Betreft)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code < 300, response.text
    body: dict[str, Any] = response.json()
    return body


def _locatie(api: TestClient) -> str:
    return str(
        _ok(api.post("/v1/spoedlocaties", json=NIEUW, headers=_headers(EIGENAAR)))["locatieId"]
    )


def _site_command(body: dict[str, Any]) -> Callable[[TestClient, Principal], Geval]:
    def bereid(api: TestClient, wie: Principal) -> Geval:
        return Geval({"locatieId": _locatie(api)}, body, {"If-Match": '"1"'}, beleid.Betreft("ZH"))

    return bereid


def _vraag(api: TestClient, wie: Principal, eigen: bool) -> tuple[str, Principal]:
    """A question asked by the acting principal when it is its own and it may ask, else by ZH."""
    vrager = wie if eigen and beleid.weigering("kennis.stel_vraag", wie) is None else EIGENAAR
    return str(
        _ok(api.post("/v1/kennisvragen", json=VRAAG, headers=_headers(vrager)))["vraagId"]
    ), vrager


def _vraag_geval(
    body: Callable[[str], dict[str, Any]],
) -> Callable[[TestClient, Principal, bool], Geval]:
    def bereid(api: TestClient, wie: Principal, eigen: bool) -> Geval:
        vraag_id, vrager = _vraag(api, wie, eigen)
        url = f"/v1/kennisvragen/{vraag_id}/antwoorden"
        antwoord = _ok(api.post(url, json={"tekst": "zo"}, headers=_headers(ANTWOORDER)))
        return Geval(
            {"vraagId": vraag_id},
            body(antwoord["antwoorden"][0]["antwoordId"]),
            betreft=beleid.Betreft(vrager=vrager.sub, vrager_organisatie=vrager.organisatie),
        )

    return bereid


def _bijeenkomst(api: TestClient, wie: Principal, eigen: bool, stap: str) -> Geval:
    """A meeting today; the acting principal (when it may attend) or ZH signed up and was there,
    as far as ``stap`` needs it."""
    vandaag = datetime.now(UTC).date().isoformat()
    plan = {"soort": "workshop", "titel": "WKO", "datum": vandaag, "themas": ["ondergrond"]}
    b = _ok(api.post("/v1/bijeenkomsten", json=plan, headers=_headers(PROGRAMMA)))
    url = f"/v1/bijeenkomsten/{b['bijeenkomstId']}"
    deelnemer = wie if eigen and beleid.weigering("kennis.meld_aan", wie) is None else EIGENAAR
    if stap != "aanmelden":
        _ok(api.post(f"{url}/aanmeldingen", headers=_headers(deelnemer)))
    if stap == "evalueren":
        aanwezig = {"aanwezig": [deelnemer.sub]}
        _ok(api.post(f"{url}/aanwezigheden", json=aanwezig, headers=_headers(PROGRAMMA)))
    body = {"aanwezigheid": {"aanwezig": [deelnemer.sub]}, "evalueren": {"score": 4}}.get(stap)
    return Geval(
        {"bijeenkomstId": b["bijeenkomstId"]},
        body,
        betreft=beleid.Betreft(aanwezigen=frozenset({deelnemer.sub})),
    )


def _zonder(body: dict[str, Any]) -> Callable[[TestClient, Principal, bool], Geval]:
    return lambda api, wie, eigen: Geval(body=body)


def _programma(api: TestClient, body: dict[str, Any]) -> Geval:
    """A new decision (its own id) on the programme's current version."""
    versie = api.get("/v1/programma", headers=_headers(_wie(Rol.AUDITOR, True))).headers["etag"]
    besluit = {**body["besluit"], "id": f"B-{uuid4().hex[:8]}"}
    return Geval(body={**body, "besluit": besluit}, headers={"If-Match": versie})


def _persoon(api: TestClient, wie: Principal, eigen: bool) -> Geval:
    """Someone in the service's person store, by pseudonym (DELETE) and by login (POST)."""
    login = f"vergeet-{uuid4().hex[:8]}@example.org"
    container = api.app.state.container  # type: ignore[attr-defined]
    with container.sessions.begin() as session:
        pseudoniem = container.personen.pseudoniem(session, login)
    return Geval({"pseudoniem": pseudoniem}, {"persoon": login})


def _combineer(api: TestClient, wie: Principal, eigen: bool) -> Geval:
    ids = [_vraag(api, wie, False)[0] for _ in range(2)]
    return Geval(body={"titel": "Samen", "vraagIds": ids, "aanpak": "één bijeenkomst"})


GEVALLEN: dict[str, Callable[[TestClient, Principal, bool], Geval]] = {
    "locaties.registreer": lambda api, wie, eigen: Geval(body=NIEUW, betreft=beleid.Betreft("ZH")),
    "locaties.wijzig_status": lambda api, wie, eigen: _site_command(
        {"naar": "onderzocht", "besluitdatum": "2010-09-01"}
    )(api, wie),
    "locaties.beoordeel_risico": lambda api, wie, eigen: _site_command(
        {
            "risicotype": "humaan",
            "vastgesteld": True,
            "criteria": ["ingestie-grond"],
            "beoordelingsdatum": "2010-09-01",
        }
    )(api, wie),
    "locaties.stel_knelpunt_vast": lambda api, wie, eigen: _site_command(
        {"knelpunt": "financieel", "datum": "2010-09-01"}
    )(api, wie),
    "locaties.ken_budget_toe": lambda api, wie, eigen: _site_command(
        {"bedragEuro": 100_000, "datum": "2010-09-01"}
    )(api, wie),
    "locaties.boek_kosten": lambda api, wie, eigen: _site_command(
        {"bedragEuro": 5_000, "datum": "2010-09-01"}
    )(api, wie),
    "locaties.draag_over": lambda api, wie, eigen: _site_command(
        {"naar": "RT", "datum": "2010-09-01", "reden": "gemeentelijke taak"}
    )(api, wie),
    "locaties.stel_planning_vast": lambda api, wie, eigen: _site_command(
        {"afgehandeld": "2015-06-01", "datum": "2010-09-01"}
    )(api, wie),
    "locaties.corrigeer": lambda api, wie, eigen: _site_command(
        {"gecorrigeerdeVersie": 1, "correctie": {"naam": "Gasfabriek Gouda"}, "reden": "typefout"}
    )(api, wie),
    # Any bevoegd gezag may import; each line is held to its own rule (the import's own tests).
    "locaties.importeer": lambda api, wie, eigen: Geval(
        body={"soort": "registratie", "body": NIEUW},
        headers={"Content-Type": "application/x-ndjson"},
    ),
    "programma.stel_afspraak_vast": lambda api, wie, eigen: _programma(
        api,
        {
            "afspraak": "humaan",
            "deadline": "2016-12-31",
            "ingangsdatum": "2013-06-12",
            "besluit": {"id": "", "datum": "2013-06-12", "titel": "Stuurgroep"},
        },
    ),
    "programma.stel_envelop_vast": lambda api, wie, eigen: _programma(
        api,
        {
            "bevoegdGezag": "ZH",
            "doel": "land",
            "bedragEuro": 1_000_000,
            "ingangsdatum": "2010-01-01",
            "besluit": {"id": "", "datum": "2009-12-15", "titel": "Verdeling"},
        },
    ),
    "kennis.stel_vraag": _zonder(VRAAG),
    "kennis.beantwoord": _vraag_geval(lambda antwoord_id: {"tekst": "ook zo"}),
    "kennis.accepteer": _vraag_geval(lambda antwoord_id: {"antwoordId": antwoord_id}),
    "kennis.sluit": _vraag_geval(lambda antwoord_id: {"reden": "beantwoord"}),
    "kennis.combineer": _combineer,
    "kennis.publiceer_document": _zonder(
        {
            "soort": "handreiking",
            "titel": "WKO",
            "tekst": "Zo doe je dat.",
            "themas": ["ondergrond"],
        }
    ),
    "kennis.meld_succes": _zonder(
        {"titel": "Eén beheerplan", "verhaal": "Voor de binnenstad.", "themas": ["ondergrond"]}
    ),
    "kennis.plan_bijeenkomst": _zonder(
        {"soort": "workshop", "titel": "WKO", "datum": "2030-06-15", "themas": ["ondergrond"]}
    ),
    "kennis.meld_aan": lambda api, wie, eigen: _bijeenkomst(api, wie, eigen, "aanmelden"),
    "kennis.registreer_aanwezigheid": lambda api, wie, eigen: _bijeenkomst(
        api, wie, eigen, "aanwezigheid"
    ),
    "kennis.evalueer": lambda api, wie, eigen: _bijeenkomst(api, wie, eigen, "evalueren"),
    "privacy.lees": _persoon,
    "privacy.vergeet": _persoon,
    "rapportage.publiceer": _zonder(
        {"rapport": "voortgang", "titel": "Kamerbrief voortgang bodemsanering 2013"}
    ),
    "kennis.registreer_expert": _zonder(
        {"naam": "Grondwater BV", "themas": ["ondergrond"], "contact": "info@example.org"}
    ),
}


@contextmanager
def _service(naam: str, engine: Engine) -> Iterator[TestClient]:
    instellingen: dict[str, Any] = {
        "database_url": engine.url.render_as_string(hide_password=False),
        "jwt_secret": SECRET,
        "kafka_enabled": False,
    }
    maak: dict[str, Callable[[], FastAPI]] = {
        "locaties": lambda: locaties_app(LocatiesSettings(**instellingen)),
        "kennis": lambda: kennis_app(KennisSettings(**instellingen)),
        "rapportage": lambda: rapportage_app(RapportageSettings(**instellingen)),
    }
    with TestClient(maak[naam](), raise_server_exceptions=False) as api:
        yield api


def _aantal(engine: Engine) -> dict[str, int]:
    """Events, outbox rows and personal data (persons and their encrypted details)."""
    return aantallen(engine)


def _nooit_eerder(wie: Principal) -> Principal:
    """The same role and organisation under a login that never acted: a refused request must
    not make it a person (it may not match anyone's question or meeting either, so what the
    policy refuses for ``wie`` it refuses for this one)."""
    return replace(wie, sub=f"nooit-{uuid4().hex[:8]}-{wie.sub}")


def _schrijfoperaties(
    spec: dict[str, Any], en_bewaakt: bool = False
) -> list[tuple[str, str, dict[str, Any]]]:
    """The writes; with ``en_bewaakt`` also the reads that name a rule (personal data)."""
    return [
        (methode, pad, op)
        for pad, item in spec["paths"].items()
        for methode, op in item.items()
        if methode in SCHRIJVEN or (en_bewaakt and beleid.OPENAPI_SLEUTEL in op)
    ]


@pytest.mark.parametrize("naam", ["locaties", "kennis", "rapportage"])
def test_every_write_answers_what_the_policy_says_for_every_role(
    naam: str, sql_engine: Engine
) -> None:
    fouten: list[str] = []
    with _service(naam, sql_engine) as api:
        spec = api.get("/v1/openapi.json").json()
        for methode, pad, op in _schrijfoperaties(spec, en_bewaakt=True):
            operatie = op.get(beleid.OPENAPI_SLEUTEL)
            assert operatie, f"{methode.upper()} {pad} names no rule ({beleid.OPENAPI_SLEUTEL})"
            beleid.regel(operatie)  # an unknown rule fails loudly
            assert operatie in GEVALLEN, f"{operatie}: add a scenario to this test"
            assert "403" in op["responses"], f"{methode.upper()} {pad} documents no 403"
            for rol in Rol:
                for eigen in (True, False):
                    wie = _wie(rol, eigen)
                    geval = GEVALLEN[operatie](api, wie, eigen)
                    mag = beleid.weigering(operatie, wie, geval.betreft) is None
                    if not mag:
                        wie = _nooit_eerder(wie)
                        assert beleid.weigering(operatie, wie, geval.betreft) is not None
                    voor = _aantal(sql_engine)
                    r = api.request(
                        methode,
                        "/v1" + pad.format(**geval.pad),
                        json=geval.body if methode != "get" else None,
                        headers={**_headers(wie), **geval.headers},
                    )
                    wat = f"{operatie} as {rol} ({'own' if eigen else 'other'}): {r.status_code}"
                    if mag and not 200 <= r.status_code < 300:
                        fouten.append(f"{wat}, the policy allows it: {r.text[:200]}")
                    if not mag:
                        if r.status_code != 403:
                            fouten.append(f"{wat}, the policy refuses it: {r.text[:200]}")
                        elif r.headers["content-type"] != PROBLEM_JSON or not r.json()["detail"]:
                            fouten.append(f"{wat} is no problem+json with a detail")
                        if (na := _aantal(sql_engine)) != voor:
                            fouten.append(f"{wat} stored something: {voor} -> {na}")
    assert not fouten, "\n".join(fouten)


def test_every_write_names_a_rule_and_every_rule_guards_an_operation() -> None:
    genoemd: set[str] = set()
    for maak in (locaties_app, kennis_app, rapportage_app):
        spec = maak().openapi()  # no lifespan needed
        for methode, pad, op in _schrijfoperaties(spec):
            assert beleid.OPENAPI_SLEUTEL in op, f"{methode.upper()} {pad} names no rule"
        genoemd |= {
            op[beleid.OPENAPI_SLEUTEL]
            for item in spec["paths"].values()
            for op in item.values()
            if beleid.OPENAPI_SLEUTEL in op
        }
    assert genoemd == set(beleid.BELEID)  # no rule left over


@dataclass
class _Regelantwoord:
    status_code: int
    text: str


def _enige_regel(r: Any) -> _Regelantwoord:
    (regel,) = r.text.splitlines()
    return _Regelantwoord(json.loads(regel)["status"], regel)


@pytest.mark.parametrize("naam", ["locaties", "kennis"])
def test_an_invalid_body_stores_nothing_not_even_the_caller(naam: str, sql_engine: Engine) -> None:
    """A body that fails validation is refused before any handler: a caller who never acted
    must not become a person by it (nor leave events or outbox rows)."""
    fouten: list[str] = []
    with _service(naam, sql_engine) as api:
        spec = api.get("/v1/openapi.json").json()
        for methode, pad, op in _schrijfoperaties(spec):
            if "requestBody" not in op:
                continue
            operatie = op[beleid.OPENAPI_SLEUTEL]
            for rol in Rol:
                wie = _nooit_eerder(_wie(rol, True))
                geval = GEVALLEN[operatie](api, _wie(rol, True), True)
                voor = _aantal(sql_engine)
                r = api.request(
                    methode,
                    "/v1" + pad.format(**geval.pad),
                    json=["geen", "object"],
                    headers={**_headers(wie), **geval.headers},
                )
                wat = f"{operatie} as {rol} with an invalid body: {r.status_code}"
                if r.status_code == 200 and operatie == "locaties.importeer":
                    # The import answers per line: the one (invalid) line is refused.
                    r = _enige_regel(r)
                if not 400 <= r.status_code < 500:
                    fouten.append(f"{wat} {r.text[:200]}")
                if (na := _aantal(sql_engine)) != voor:
                    fouten.append(f"{wat} stored something: {voor} -> {na}")
    assert not fouten, "\n".join(fouten)
