"""Idempotency-Key on the POSTs of locaties and kennis, on SQLite and PostgreSQL: a retry gets
the original answer and records nothing; another body 422; another caller is independent;
in progress 409; the answer and the events commit together; keys expire."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shared import idempotency_store as store
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import events
from shared.http.problems import PROBLEM_JSON
from shared.idempotency_store import idempotency_keys
from tests.integration.kennis.test_api import VRAAG
from tests.support.infra import sqlite_database
from tests.support.kennis import kennis_client
from tests.support.locaties import NIEUW, SECRET, locaties_client, registreer, token

ZH = token()
UP = token(Rol.UITVOERINGSPROGRAMMA, None)


def _als(sub: str, organisatie: str = "ZH") -> dict[str, str]:
    tok = mint_dev_token(SECRET, sub, Rol.BEVOEGD_GEZAG, organisatie)
    return {"Authorization": f"Bearer {tok}"}


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def _sleutels(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(idempotency_keys)).scalar_one())


def _gelijk(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.content) == (b.status_code, b.content)
    for naam in ("location", "etag", "content-type", "content-crs"):
        assert a.headers.get(naam) == b.headers.get(naam), naam


STATUS = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}


def test_a_retried_status_change_gets_the_original_answer_and_records_nothing(
    api: TestClient, sql_engine: Engine
) -> None:
    url = f"/v1/spoedlocaties/{registreer(api, ZH)}/statuswijzigingen"
    headers = {**ZH, "If-Match": '"1"', "Idempotency-Key": "a6f1c2d0-0001"}
    eerste = api.post(url, json=STATUS, headers=headers)
    assert eerste.status_code == 201 and eerste.headers["etag"] == '"2"'
    assert _events(sql_engine) == 2
    # The same JSON in another order and spacing is the same request.
    herhaling = api.post(
        url, content=b'{ "besluitdatum": "2010-06-01", "naar": "onderzocht" }', headers=headers
    )
    _gelijk(eerste, herhaling)
    assert herhaling.headers["api-version"] == "1.0.0"
    # A retry after the caller re-read the site (If-Match now stale) still gets the answer.
    laat = api.post(url, json=STATUS, headers={**headers, "If-Match": '"2"'})
    _gelijk(eerste, laat)
    assert _events(sql_engine) == 2 and _sleutels(sql_engine) == 1
    # Without a key the same request is a new command: here refused as stale (412).
    zonder = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})
    assert zonder.status_code == 412


def test_a_retried_registration_gets_the_same_site(api: TestClient, sql_engine: Engine) -> None:
    headers = {**ZH, "Idempotency-Key": '"reg-7"', "Content-Crs": "EPSG:28992"}
    body = {**NIEUW, "geometrie": {"type": "Point", "coordinates": [107000, 447000]}}
    eerste = api.post("/v1/spoedlocaties", json=body, headers=headers)
    tweede = api.post("/v1/spoedlocaties", json=body, headers=headers)
    assert eerste.status_code == 201
    _gelijk(eerste, tweede)
    assert eerste.headers["location"] == "/v1/spoedlocaties/ZH051300001"
    assert _events(sql_engine) == 1
    # Content-Crs says what the coordinates mean: another one is another request.
    anders = api.post(
        "/v1/spoedlocaties", json=body, headers={**headers, "Content-Crs": "EPSG:4326"}
    )
    assert anders.status_code in (400, 422)
    assert _events(sql_engine) == 1


def test_the_same_key_with_another_body_is_422_and_records_nothing(
    api: TestClient, sql_engine: Engine
) -> None:
    url = f"/v1/spoedlocaties/{registreer(api, ZH)}/statuswijzigingen"
    headers = {**ZH, "If-Match": '"1"', "Idempotency-Key": "k-422"}
    assert api.post(url, json=STATUS, headers=headers).status_code == 201
    anders = api.post(url, json={**STATUS, "toelichting": "anders"}, headers=headers)
    assert anders.status_code == 422
    assert anders.headers["content-type"] == PROBLEM_JSON
    assert anders.json()["invalidParams"][0]["name"] == "header.Idempotency-Key"
    ander_pad = api.post(
        url.replace("statuswijzigingen", "knelpunten"),
        json={"knelpunt": "geen", "datum": "2010-06-01"},
        headers=headers,
    )
    assert ander_pad.status_code == 422
    assert _events(sql_engine) == 2


def test_a_key_belongs_to_its_caller(api: TestClient, sql_engine: Engine) -> None:
    """Two officials of the same gezag who happen to pick the same key do not meet."""
    eerste = api.post(
        "/v1/spoedlocaties", json=NIEUW, headers={**_als("a"), "Idempotency-Key": "1"}
    )
    tweede = api.post(
        "/v1/spoedlocaties", json=NIEUW, headers={**_als("b"), "Idempotency-Key": "1"}
    )
    assert (eerste.status_code, tweede.status_code) == (201, 201)
    assert eerste.json()["locatieId"] != tweede.json()["locatieId"]
    assert _events(sql_engine) == 2 and _sleutels(sql_engine) == 2


def test_a_refused_command_is_not_stored_and_its_retry_is_judged_again(
    api: TestClient, sql_engine: Engine
) -> None:
    url = f"/v1/spoedlocaties/{registreer(api, ZH)}/statuswijzigingen"
    headers = {**ZH, "If-Match": '"1"', "Idempotency-Key": "k-409"}
    fout = api.post(url, json={**STATUS, "naar": "gesaneerd"}, headers=headers)
    assert fout.status_code == 409
    assert _sleutels(sql_engine) == 0
    assert api.post(url, json={**STATUS, "naar": "gesaneerd"}, headers=headers).status_code == 409
    assert _events(sql_engine) == 1


def test_a_malformed_key_is_400(api: TestClient, sql_engine: Engine) -> None:
    for sleutel in ("", "met spatie", "x" * 256):
        response = api.post(
            "/v1/spoedlocaties", json=NIEUW, headers={**ZH, "Idempotency-Key": sleutel}
        )
        assert response.status_code == 400, sleutel
        assert response.json()["invalidParams"][0]["name"] == "header.Idempotency-Key"
    assert _events(sql_engine) == 0


def test_the_answer_and_the_events_commit_in_one_transaction(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If storing the answer fails, the command's events are not there either: a retry can
    then run the command once, never twice."""
    url = f"/v1/spoedlocaties/{registreer(api, ZH)}/statuswijzigingen"

    def kapot(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(store, "bewaar", kapot)
    with pytest.raises(RuntimeError):
        api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"', "Idempotency-Key": "tx"})
    assert _events(sql_engine) == 1
    monkeypatch.undo()
    ok = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"', "Idempotency-Key": "tx"})
    assert ok.status_code == 201 and _events(sql_engine) == 2


def test_keys_expire_after_the_retention_and_are_cleaned_up(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {**ZH, "Idempotency-Key": "oud"}
    eerste = api.post("/v1/spoedlocaties", json=NIEUW, headers=headers)
    begin = store.nu()
    monkeypatch.setattr(store, "nu", lambda: begin + timedelta(hours=23, minutes=59))
    assert api.post("/v1/spoedlocaties", json=NIEUW, headers=headers).json() == eerste.json()
    assert _events(sql_engine) == 1
    monkeypatch.setattr(store, "nu", lambda: begin + timedelta(hours=24, seconds=1))
    nieuw = api.post("/v1/spoedlocaties", json=NIEUW, headers=headers)
    assert nieuw.status_code == 201 and nieuw.json()["locatieId"] == "ZH051300002"
    assert _events(sql_engine) == 2
    # Cleanup removes only what has expired (the new answer stays).
    from shared.http.idempotency import ruim_op

    monkeypatch.setattr(store, "nu", lambda: begin + timedelta(hours=48))
    assert ruim_op(_sessions(sql_engine)) == 0
    monkeypatch.setattr(store, "nu", lambda: begin + timedelta(hours=49))
    assert ruim_op(_sessions(sql_engine)) == 1 and _sleutels(sql_engine) == 0


def _sessions(engine: Engine) -> Any:
    from shared.db.engine import make_session_factory

    return make_session_factory(engine)


def test_a_retry_while_the_first_is_in_progress_is_409(
    pg_engine: Engine,
) -> None:
    with locaties_client(pg_engine) as api:
        scope = hashlib.sha256(b"sub\x00tester").hexdigest()
        with Session(pg_engine) as bezig, bezig.begin():
            assert store.probeer_te_claimen(bezig, scope, "bezig")
            response = api.post(
                "/v1/spoedlocaties", json=NIEUW, headers={**ZH, "Idempotency-Key": "bezig"}
            )
        assert response.status_code == 409
        assert response.headers["content-type"] == PROBLEM_JSON
        assert "in behandeling" in response.json()["detail"]
        assert _events(pg_engine) == 0
        again = api.post(
            "/v1/spoedlocaties", json=NIEUW, headers={**ZH, "Idempotency-Key": "bezig"}
        )
        assert again.status_code == 201 and _events(pg_engine) == 1


def _tegelijk(api: TestClient, n: int, doe: Any) -> list[httpx.Response]:
    start = threading.Barrier(n)
    antwoorden: list[httpx.Response] = []
    slot = threading.Lock()

    def werk() -> None:
        start.wait()
        response = doe()
        with slot:
            antwoorden.append(response)

    threads = [threading.Thread(target=werk) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(antwoorden) == n
    return antwoorden


def test_concurrent_retries_record_exactly_one_event(sql_engine: Engine) -> None:
    """Eight retries of one status change fired at once: one event; every answer is the
    original 201 or a 409 saying the first is still in progress."""
    with locaties_client(sql_engine) as api:
        for ronde in range(3):
            url = f"/v1/spoedlocaties/{registreer(api, ZH)}/statuswijzigingen"
            voor = _events(sql_engine)
            headers = {**ZH, "If-Match": '"1"', "Idempotency-Key": f"samen-{ronde}"}
            antwoorden = _tegelijk(
                api, 8, lambda u=url, h=headers: api.post(u, json=STATUS, headers=h)
            )
            assert _events(sql_engine) == voor + 1
            geslaagd = [a for a in antwoorden if a.status_code == 201]
            assert geslaagd, [a.status_code for a in antwoorden]
            for a in antwoorden:
                if a.status_code == 201:
                    _gelijk(a, geslaagd[0])
                else:
                    assert a.status_code == 409 and "in behandeling" in a.json()["detail"]
            # Once the first finished, every retry gets its answer.
            _gelijk(api.post(url, json=STATUS, headers=headers), geslaagd[0])


def test_kennis_retried_question_is_asked_once(sql_engine: Engine) -> None:
    with kennis_client(sql_engine) as api:
        headers = {**_als("vrager@zl.nl", "ZL"), "Idempotency-Key": "vraag-1"}
        eerste = api.post("/v1/kennisvragen", json=VRAAG, headers=headers)
        tweede = api.post("/v1/kennisvragen", json=VRAAG, headers=headers)
        assert eerste.status_code == 201
        _gelijk(eerste, tweede)
        assert _events(sql_engine) == 1
        assert (
            api.post(
                "/v1/kennisvragen", json={**VRAAG, "titel": "Anders"}, headers=headers
            ).status_code
            == 422
        )
        vraag = eerste.json()["vraagId"]
        url = f"/v1/kennisvragen/{vraag}/antwoorden"
        antwoord = {"tekst": "Ja, met een saneringsplan dat de pluim beheerst."}
        kop = {**_als("expert@up.nl", "ZL"), "Idempotency-Key": "antw-1"}
        antwoorden = _tegelijk(api, 8, lambda: api.post(url, json=antwoord, headers=kop))
        assert _events(sql_engine) == 2
        assert {a.status_code for a in antwoorden} <= {201, 409}
        lijst = api.get(f"/v1/kennisvragen/{vraag}", headers=UP).json()
        assert len(lijst["antwoorden"]) == 1


def test_every_post_documents_the_header_and_its_answers(tmp_path: Path) -> None:
    with (
        sqlite_database(tmp_path) as een,
        sqlite_database(tmp_path) as twee,
        locaties_client(een) as api,
        kennis_client(twee) as kennis,
    ):
        documenten = [api.get("/v1/openapi.json").json(), kennis.get("/v1/openapi.json").json()]
    posts = 0
    for doc in documenten:
        for pad, item in doc["paths"].items():
            for methode, op in item.items():
                namen = {p["name"] for p in op.get("parameters", [])}
                if methode != "post":
                    assert "Idempotency-Key" not in namen, (methode, pad)
                    continue
                if pad == "/spoedlocaties/import":
                    # Idempotent per line, by each line's own key (a streamed answer of any
                    # length is not stored whole): see tests/integration/locaties/test_import.py.
                    assert "sleutel" in op["description"], pad
                    continue
                posts += 1
                assert "Idempotency-Key" in namen, pad
                assert "in behandeling" in op["responses"]["409"]["description"], pad
                assert "422" in op["responses"], pad
    assert posts >= 20


def test_the_held_commit_wakes_the_relay_only_once_it_is_committed(sql_engine: Engine) -> None:
    """The unit of work's hooks: with a key its COMMIT waits for the answer, and the relay is
    woken after the one real commit (events and answer), not before."""
    from datetime import UTC, datetime

    from shared.db.engine import make_session_factory
    from shared.eventstore import EventMetadata, NewEvent
    from shared.idempotency import Verzoek, herstel, zet
    from shared.unit_of_work import SqlUnitOfWork

    gewekt: list[int] = []
    sessions = make_session_factory(sql_engine)
    verzoek = Verzoek("scope", "k", "afdruk", timedelta(hours=24))
    token = zet(verzoek)
    try:
        with SqlUnitOfWork(sessions, on_commit=lambda: gewekt.append(_events(sql_engine))) as uow:
            nieuw = NewEvent("iets-gebeurd", {}, datetime.now(UTC), EventMetadata(actor="prs-x"))
            uow.events.append("s-1", "test", 0, [nieuw])
            uow.commit()
        assert verzoek.sessie is not None and gewekt == []
        assert _events(sql_engine) == 0  # held: not committed yet
    finally:
        herstel(token)
    verzoek.rond_af(store.Antwoord(201, [("etag", '"1"')], b"{}"))
    assert gewekt == [1] and _events(sql_engine) == 1 and _sleutels(sql_engine) == 1


def test_a_live_answer_is_never_overwritten_an_expired_one_is(sql_engine: Engine) -> None:
    from sqlalchemy.exc import IntegrityError

    antwoord = store.Antwoord(201, [], b"1")
    begin = store.nu()
    with Session(sql_engine) as s, s.begin():
        store.bewaar(s, "scope", "k", "a", antwoord, begin, timedelta(hours=24))
    with pytest.raises(IntegrityError), Session(sql_engine) as s, s.begin():
        store.bewaar(
            s, "scope", "k", "b", antwoord, begin + timedelta(hours=23), timedelta(hours=24)
        )
    later = begin + timedelta(hours=24)
    with Session(sql_engine) as s, s.begin():
        store.bewaar(s, "scope", "k", "c", antwoord, later, timedelta(hours=24))
    with Session(sql_engine) as s:
        opgeslagen = store.lees(s, "scope", "k", later)
    assert opgeslagen is not None and opgeslagen.vingerafdruk == "c"


def test_an_erasure_request_retried_gets_its_201_not_a_404(
    api: TestClient, sql_engine: Engine
) -> None:
    """A POST that commits without the unit of work (the person store) stores its answer in a
    transaction right after; without the key the retry would say the person is unknown."""
    assert api.post("/v1/spoedlocaties", json=NIEUW, headers=_als("wim@zh.nl")).status_code == 201
    headers = {**UP, "Idempotency-Key": "vergeet-wim"}
    eerste = api.post("/v1/vergeetverzoeken", json={"persoon": "wim@zh.nl"}, headers=headers)
    assert eerste.status_code == 201, eerste.text
    _gelijk(
        eerste, api.post("/v1/vergeetverzoeken", json={"persoon": "wim@zh.nl"}, headers=headers)
    )
    zonder = api.post("/v1/vergeetverzoeken", json={"persoon": "wim@zh.nl"}, headers=UP)
    assert zonder.status_code == 404


def test_a_key_without_a_valid_token_is_401(api: TestClient, sql_engine: Engine) -> None:
    for kop in ({}, {"Authorization": "Bearer kapot"}):
        response = api.post(
            "/v1/spoedlocaties", json=NIEUW, headers={**kop, "Idempotency-Key": "x"}
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM_JSON
    assert _events(sql_engine) == 0 and _sleutels(sql_engine) == 0


def test_the_retention_is_configurable_but_never_under_a_day(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    from services.locaties.config import LocatiesSettings

    with pytest.raises(ValidationError):
        LocatiesSettings(idempotentie_bewaartijd_uren=23)
    with locaties_client(sqlite_engine, idempotentie_bewaartijd_uren=48) as api:
        headers = {**ZH, "Idempotency-Key": "lang"}
        eerste = api.post("/v1/spoedlocaties", json=NIEUW, headers=headers)
        begin = store.nu()
        monkeypatch.setattr(store, "nu", lambda: begin + timedelta(hours=47))
        _gelijk(eerste, api.post("/v1/spoedlocaties", json=NIEUW, headers=headers))
        assert _events(sqlite_engine) == 1
