"""Plan events through the rapportage projection into the reports over HTTP (SQLite): a plan
becomes a fact (a plan without its fields is dead-lettered), the planning, prognose and
haalbaarheid reports answer as JSON, CSV and HTML, and bad dates are 400 problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app
from shared.auth import Rol
from shared.db.engine import make_session_factory
from shared.messaging.consumer import ListDeadLetterSink
from tests.support.infra import sqlite_database
from tests.support.locaties import SECRET, token
from tests.support.rapportage import (
    RAPPORTAGE_VERSIONS,
    envelope,
    record,
    registratie,
    status,
    verzegel,
)

AUDITOR = token(Rol.AUDITOR, None)
S = "ZH051300001"
PLAN = "spoedlocatie-planning-vastgesteld"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, ListDeadLetterSink]]:

    with sqlite_database(tmp_path, RAPPORTAGE_VERSIONS) as engine:
        sink = ListDeadLetterSink()
        _voed(engine, sink)
        settings = RapportageSettings(
            database_url=engine.url.render_as_string(hide_password=False),
            jwt_secret=SECRET,
            kafka_enabled=False,
        )
        with TestClient(create_app(settings)) as client:
            yield client, sink


def _voed(engine: Engine, sink: ListDeadLetterSink) -> None:
    from services.rapportage.bootstrap import processor

    plan = {
        "onderzoek_gereed": None,
        "start_sanering": "2012-01-01",
        "afgehandeld": "2015-06-01",
        "datum": "2011-01-01",
        "reden": "",
    }
    log = verzegel(
        registratie(1, S),
        status(2, S, 2, "onderzocht", "2010-05-01"),
        status(3, S, 3, "ernstig-spoed", "2010-09-01"),
        envelope(4, S, 4, PLAN, plan),
        envelope(5, S, 5, PLAN, {"datum": "2011-02-01", "reden": "x"}),  # no dates: refused
    )
    proc = processor(RapportageSettings(), make_session_factory(engine), sink)
    proc.process([record(i, e) for i, e in enumerate(log)])


def test_a_plan_is_a_fact_and_the_site_is_behind_it(
    api: tuple[TestClient, ListDeadLetterSink],
) -> None:
    client, sink = api
    assert [d.record.offset for d in sink.letters] == [4]
    r = client.get("/v1/rapportages/planning", params={"peildatum": "2013-01-01"}, headers=AUDITOR)
    assert r.status_code == 200, r.text
    (regel,) = r.json()["inhoud"]["locaties"]
    assert (regel["planstatus"], regel["achterOp"]) == ("achter op planning", "startSanering")
    assert regel["afgehandeldGepland"] == "2015-06-01"
    # Before the plan was set, the site had none.
    vroeg = client.get(
        "/v1/rapportages/planning", params={"peildatum": "2010-12-31"}, headers=AUDITOR
    )
    assert vroeg.json()["inhoud"]["locaties"][0]["planstatus"] == "geen planning"


def test_the_plan_reports_in_every_format(api: tuple[TestClient, ListDeadLetterSink]) -> None:
    client, _ = api
    for naam, params in [
        ("planning", {"peildatum": "2013-01-01"}),
        ("prognose", {"peildatum": "2013-01-01"}),
        ("haalbaarheid", {"peildatum": "2014-01-01", "vorigePeildatum": "2011-06-01"}),
    ]:
        url = f"/v1/rapportages/{naam}"
        body = client.get(url, params=params, headers=AUDITOR)
        assert body.status_code == 200, (naam, body.text)
        assert body.json()["parameters"]["peildatum"] == params["peildatum"]
        csv = client.get(url, params={**params, "formaat": "csv"}, headers=AUDITOR)
        assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\r\n") >= 2
        html = client.get(url, params=params, headers={**AUDITOR, "Accept": "text/html"})
        assert html.headers["content-type"].startswith("text/html") and "<table>" in html.text
    prognose = client.get(
        "/v1/rapportages/prognose", params={"peildatum": "2013-01-01"}, headers=AUDITOR
    ).json()["inhoud"]
    humaan = next(x for x in prognose["landelijk"] if x["doel"] == "alle")
    assert (humaan["totaal"], humaan["verwachtVolgensPlanning"]) == (1, 0)  # behind: no count


@pytest.mark.parametrize(
    ("naam", "params"),
    [
        ("haalbaarheid", {"peildatum": "2013-01-01", "vorigePeildatum": "2014-01-01"}),
        ("midterm-review", {"peildatum": "2013-01-01", "vorigePeildatum": "1999-01-01"}),
        ("haalbaarheid", {"peildatum": "2013-01-01", "vorigePeildatum": "2013-02-30"}),
        ("prognose", {"peildatum": "2999-01-01"}),
    ],
)
def test_bad_dates_are_400_problem_json(
    api: tuple[TestClient, ListDeadLetterSink], naam: str, params: dict[str, str]
) -> None:
    client, _ = api
    r = client.get(f"/v1/rapportages/{naam}", params=params, headers=AUDITOR)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
