"""Each API does what its OpenAPI document says: schemathesis with every check finds nothing.

The real app of each service on a real (SQLite) database, seeded so that paths with ids reach
the domain (a registered site, a question, a meeting, a person), with a token of a role that may
write there, and stateful runs (register -> command -> history, through the links schemathesis
infers). Deterministic (fixed seed, derandomised) and bounded. What is configured and why:
tests/contract/schemathesis_run.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app as locaties_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.auth import Rol, mint_dev_token
from tests.contract.schemathesis_run import gestart, voer_uit
from tests.support.locaties import NIEUW, SECRET

MAX_EXAMPLES = 3
ZH = mint_dev_token(SECRET, "contract@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
PROGRAMMA = mint_dev_token(SECRET, "contract@bodem.nl", Rol.UITVOERINGSPROGRAMMA, None)


def _ok(antwoord: Any) -> dict[str, Any]:
    assert antwoord.status_code < 300, antwoord.text
    body: dict[str, Any] = antwoord.json()
    return body


def _locaties(api: Any) -> dict[str, str]:
    site = _ok(api.post("/v1/spoedlocaties", json=NIEUW, headers=_auth(ZH)))
    return {"locatieId": site["locatieId"], "code": "ZH"}


def _kennis(api: Any) -> dict[str, str]:
    vraag = {"titel": "WKO", "tekst": "Mag WKO in een pluim?", "themas": ["bodemenergie-wko"]}
    vraag_id = _ok(api.post("/v1/kennisvragen", json=vraag, headers=_auth(PROGRAMMA)))["vraagId"]
    vandaag = datetime.now(UTC).date().isoformat()
    plan = {"soort": "workshop", "titel": "WKO", "datum": vandaag, "themas": ["ondergrond"]}
    bijeenkomst = _ok(api.post("/v1/bijeenkomsten", json=plan, headers=_auth(PROGRAMMA)))
    return {"vraagId": vraag_id, "bijeenkomstId": bijeenkomst["bijeenkomstId"]}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# What the stateful runs must reach, as (operation prefix, statuses the domain decided with,
# whether a link must have led there): a creation, then by the link from its 201 a command on
# what was created (201, or 409 when the aggregate refused the transition: it decided) and a
# read of its history. Without links (the documents' from shared/http/openapi.py and those
# schemathesis infers from Location headers) no step follows a link and this fails.
BEREIKT: dict[str, list[tuple[str, set[int], bool]]] = {
    "locaties": [
        ("POST /spoedlocaties", {201}, False),
        ("POST /spoedlocaties/{locatieId}/", {201, 409}, True),
        ("GET /spoedlocaties/{locatieId}/gebeurtenissen", {200}, True),
    ],
    "rapportage": [],  # reads only: nothing to link
    "kennis": [
        ("POST /kennisvragen", {201}, False),
        ("POST /kennisvragen/{vraagId}/", {201, 409}, True),
        ("GET /kennisvragen/{vraagId}", {200}, True),
    ],
}
# At least this many different (operation, status) steps reached the domain by a link.
MINSTENS_VIA_LINKS = {"locaties": 3, "rapportage": 0, "kennis": 4}

SERVICES: dict[str, tuple[Callable[[dict[str, Any]], FastAPI], str, Any]] = {
    "locaties": (lambda s: locaties_app(LocatiesSettings(**s)), ZH, _locaties),
    "rapportage": (lambda s: rapportage_app(RapportageSettings(**s)), PROGRAMMA, lambda api: {}),
    "kennis": (lambda s: kennis_app(KennisSettings(**s)), PROGRAMMA, _kennis),
}


@pytest.mark.parametrize("service", list(SERVICES))
def test_schemathesis_with_all_checks_finds_no_failure(service: str, sql_engine: Engine) -> None:
    maak, token, zaai = SERVICES[service]
    url = sql_engine.url.render_as_string(hide_password=False)
    app = maak({"database_url": url, "jwt_secret": SECRET, "kafka_enabled": False})
    with gestart(app) as api:
        # The site is the documents' example (ZH051300001), so examples reach the domain; the
        # stateful phase follows the links from what it creates itself.
        zaai(api)
        uitslag = voer_uit(app, token, max_examples=MAX_EXAMPLES)
    assert uitslag.scenarios, "schemathesis ran nothing"
    fouten = uitslag.fouten
    assert not fouten, f"{len(fouten)} failures:\n" + "\n".join(str(f) for f in fouten[:30])
    # The stateful runs reached the domain: created something and acted on it by its links.
    for begin, statussen, via_link in BEREIKT[service]:
        gezien = {
            (op, status)
            for op, status, link in uitslag.stappen
            if op.startswith(begin) and (link or not via_link)
        }
        assert any(status in statussen for _, status in gezien), (begin, sorted(gezien))
    bereikt = {
        (op, status)
        for op, status, link in uitslag.stappen
        if link and (status < 300 or status == 409)
    }
    assert len(bereikt) >= MINSTENS_VIA_LINKS[service], sorted(bereikt)
