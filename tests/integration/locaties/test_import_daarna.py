"""An imported site lives on through the single commands: the rows the import left out (known
from and until its one record time) are missed by nothing that comes later. A back-dated
command and a correction on an imported site leave the same still-known rows and the same
time-travel answers as on a site built command by command; so does a site sent in two
imports (the second goes the general way over the first one's rows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.locaties.adapters import bulk_projectie
from tests.integration.locaties.test_import import (
    STAPPEN,
    ZH,
    _enkel,
    _importeer,
    _regels,
    _standen,
    bekend,
)
from tests.support.locaties import locaties_client

# After the import: a later event (closes the open row), a status dated before the site's last
# business date (2013-01-01: the rows from then on are replayed), then a correction of the
# registration (every row replayed).
DAARNA: list[tuple[str, dict[str, Any]]] = [
    ("kostenboekingen", {"bedragEuro": 5_000, "datum": "2013-01-01"}),
    ("statuswijzigingen", {"naar": "ernstig-spoed", "besluitdatum": "2011-06-01"}),
    (
        "correcties",
        {"gecorrigeerdeVersie": 1, "correctie": {"naam": "Gasfabriek"}, "reden": "x"},
    ),
]


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _stap(api: TestClient, locatie_id: str, versie: int, pad: str, body: dict[str, Any]) -> None:
    r = api.post(
        f"/v1/spoedlocaties/{locatie_id}/{pad}",
        json=body,
        headers={**ZH, "If-Match": f'"{versie}"'},
    )
    assert r.status_code == 201, r.text


def _lijst(api: TestClient, peildatum: str | None, kennisdatum: str | None) -> dict[str, Any]:
    vraag = {"bevoegdGezag": "ZH", "pageSize": 200}
    vraag |= {"peildatum": peildatum} if peildatum else {}
    vraag |= {"kennisdatum": kennisdatum} if kennisdatum else {}
    r = api.get("/v1/spoedlocaties", params=vraag, headers=ZH)
    assert r.status_code == 200, r.text
    return {
        s["locatieId"]: {k: v for k, v in s.items() if k not in ("locatieId", "_links")}
        for s in r.json()["_embedded"]["spoedlocaties"]
    }


def _zelfde_antwoorden(api: TestClient, ids: list[str]) -> None:
    vandaag = date.today().isoformat()
    for dag in ("2010-03-14", "2010-06-01", "2011-06-01", "2012-06-01", "2013-01-01", None):
        for kennis in (vandaag, None):
            per_site = _lijst(api, dag, kennis)
            antwoorden = [per_site.get(i) for i in ids]
            assert all(a == antwoorden[0] for a in antwoorden), (dag, kennis)
            if dag and dag >= "2010-06-01":
                assert antwoorden[0] is not None, (dag, kennis)


def test_commands_after_an_import_leave_the_rows_of_the_single_commands(
    api: TestClient, sql_engine: Engine
) -> None:
    stappen = STAPPEN[:-1]  # no correction: the import's rows are worked out in memory
    regels = _regels("ZH051300060")[: len(stappen) + 1]
    assert [u["status"] for u in _importeer(api, regels)] == [201] * len(regels)
    # The same history in two imports: the second batch extends the first one's rows.
    delen = _regels("ZH051300062")[: len(stappen) + 1]
    assert [u["status"] for u in _importeer(api, delen[:3])] == [201] * 3
    assert [u["status"] for u in _importeer(api, delen[3:])] == [201] * (len(delen) - 3)
    _enkel(api, "ZH051300061", stappen)
    ids = ["ZH051300060", "ZH051300061", "ZH051300062"]
    _zelfde_rijen(sql_engine, ids)
    for k, (pad, body) in enumerate(DAARNA):
        for locatie_id in ids:
            _stap(api, locatie_id, len(stappen) + 1 + k, pad, body)
        _zelfde_rijen(sql_engine, ids)
    _zelfde_antwoorden(api, ids)


def _zelfde_rijen(sql_engine: Engine, ids: list[str]) -> None:
    """The rows still known are the same for every site (the import leaves no other rows)."""
    enkel = bekend(_standen(sql_engine, ids[1]))
    assert len(enkel) > 1
    for locatie_id in (ids[0], ids[2]):
        assert bekend(_standen(sql_engine, locatie_id)) == enkel, locatie_id


def test_only_sites_with_earlier_history_have_a_current_row_replaced(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site registered in the batch has no current row yet: the batch deletes none for it,
    only for a site whose history began before the batch (and the rows stay right either way,
    see the tests above)."""
    vervangen: list[list[str]] = []
    echt = bulk_projectie._verwijder_huidig

    def verwijder_huidig(session: Session, ids: list[str]) -> None:
        vervangen.append(list(ids))
        echt(session, ids)

    monkeypatch.setattr(bulk_projectie, "_verwijder_huidig", verwijder_huidig)
    eerste = _regels("ZH051300071")[:3] + _regels("ZH051300072")[:2]
    assert [u["status"] for u in _importeer(api, eerste)] == [201] * 5
    assert vervangen == [[]]
    tweede = _regels("ZH051300071")[3:5] + _regels("ZH051300073")[:2]
    assert [u["status"] for u in _importeer(api, tweede)] == [201] * 4
    assert vervangen == [[], ["ZH051300071"]]
