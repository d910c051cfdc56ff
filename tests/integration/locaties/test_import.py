"""Bulk import (POST /v1/spoedlocaties/import) on SQLite and PostgreSQL: a result line per input
line, a refused line stores nothing and stops nothing, sending the file again records nothing
new, another bevoegd gezag's site is refused per line, and the events equal those of the single
commands; the imported log is sealed and verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from auditor import verify
from services.locaties.adapters.importregels import import_regels
from services.locaties.adapters.tables import spoedlocatie_standen
from services.locaties.entrypoints import routes_import
from services.locaties.service_layer.importeren import Importeur
from shared.auth import Rol
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import events
from shared.outbox import store_id
from shared.zegel import verzegelde
from tests.support.locaties import NIEUW, locaties_client, token, verzegeld
from tests.support.locaties_lezen import aantal_events
from tests.support.opslag import aantallen

ZH = token()
NDJSON = {"Content-Type": "application/x-ndjson"}
GOUDA = {"type": "Point", "coordinates": [4.7083, 52.0115]}

# A site's history as the single API would get it: (resource, If-Match, body).
STAPPEN: list[tuple[str, int, dict[str, Any]]] = [
    ("statuswijzigingen", 1, {"naar": "onderzocht", "besluitdatum": "2010-06-01"}),
    (
        "risicobeoordelingen",
        2,
        {
            "risicotype": "humaan",
            "vastgesteld": True,
            "criteria": ["ingestie-grond"],
            "beoordelingsdatum": "2010-07-01",
        },
    ),
    ("budgettoekenningen", 3, {"bedragEuro": 100_000, "datum": "2011-01-01", "bron": "ISV"}),
    ("kostenboekingen", 4, {"bedragEuro": 30_000, "datum": "2012-05-01"}),
    ("knelpunten", 5, {"knelpunt": "financieel", "datum": "2012-06-01"}),
    (
        "correcties",
        6,
        {"gecorrigeerdeVersie": 1, "correctie": {"naam": "Gasfabriek"}, "reden": "x"},
    ),
]


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _regels(locatie_id: str, prefix: str = "") -> list[dict[str, Any]]:
    registratie = {
        "sleutel": f"{prefix}{locatie_id}-1",
        "soort": "registratie",
        "locatieId": locatie_id,
        "body": {**NIEUW, "geometrie": GOUDA},
    }
    return [registratie] + [
        {"sleutel": f"{prefix}{locatie_id}-{v + 1}", "soort": pad, "locatieId": locatie_id}
        | {"versie": v, "body": body}
        for pad, v, body in STAPPEN
    ]


def _importeer(
    api: TestClient, regels: list[Any], headers: dict[str, str] = ZH
) -> list[dict[str, Any]]:
    body = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in regels)
    r = api.post("/v1/spoedlocaties/import", content=body, headers={**headers, **NDJSON})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/x-ndjson"
    return [json.loads(regel) for regel in r.text.splitlines()]


def _events(engine: Engine, locatie_id: str) -> list[tuple[str, dict[str, Any], str]]:
    with engine.connect() as conn:
        rijen = conn.execute(
            select(events.c.event_type, events.c.data, events.c.occurred_at)
            .where(events.c.stream_id == locatie_id)
            .order_by(events.c.version)
        ).all()
    return [(t, d, o.isoformat()) for t, d, o in rijen]


def _standen(engine: Engine, locatie_id: str) -> list[tuple[Any, ...]]:
    """A site's bitemporal rows without its id and the record times (the import records a
    batch at one moment, the single commands one by one)."""
    t = spoedlocatie_standen.c
    with engine.connect() as conn:
        rijen = conn.execute(
            select(spoedlocatie_standen)
            .where(t.locatie_id == locatie_id)
            .order_by(t.versie_vanaf, t.geldig_vanaf)
        ).mappings()
        return [
            (
                r["bekend_tot"] is None,
                *(v for k, v in r.items() if k not in ("locatie_id", "bekend_vanaf", "bekend_tot")),
            )
            for r in rijen
        ]


def _enkel(
    api: TestClient, locatie_id: str, stappen: list[tuple[str, int, dict[str, Any]]]
) -> None:
    """The same history through the single commands."""
    body = {**NIEUW, "geometrie": GOUDA, "locatieId": locatie_id}
    r = api.post("/v1/spoedlocaties", json=body, headers=ZH)
    assert r.status_code == 201, r.text
    for pad, versie, body in stappen:
        r = api.post(
            f"/v1/spoedlocaties/{locatie_id}/{pad}",
            json=body,
            headers={**ZH, "If-Match": f'"{versie}"'},
        )
        assert r.status_code == 201, r.text


def test_the_bitemporal_rows_equal_the_single_commands_rows(
    api: TestClient, sql_engine: Engine
) -> None:
    """Without corrections the import works the rows out in memory: the same rows as command
    after command (also with a step that changes nothing the rows show, and one on the same
    day as the one before)."""
    stappen = [
        *STAPPEN[:-1],
        ("knelpunten", 6, {"knelpunt": "financieel", "datum": "2012-06-01"}),
        ("statuswijzigingen", 7, {"naar": "ernstig-spoed", "besluitdatum": "2012-06-01"}),
    ]
    regels = _regels("ZH051300010")[:-1] + [
        {"soort": pad, "locatieId": "ZH051300010", "versie": v, "body": b}
        for pad, v, b in stappen[-2:]
    ]
    assert [u["status"] for u in _importeer(api, regels)] == [201] * len(regels)
    _enkel(api, "ZH051300011", stappen)
    assert _standen(sql_engine, "ZH051300010") == bekend(_standen(sql_engine, "ZH051300011"))
    assert 1 < len(_standen(sql_engine, "ZH051300010")) < len(_standen(sql_engine, "ZH051300011"))
    # And so every time-travel answer is the same (record times differ by less than a day).
    vandaag = date.today().isoformat()
    for dag in ("2010-03-14", "2010-03-15", "2010-06-01", "2011-03-01", "2012-06-01", None):
        for kennis in (vandaag, None):
            vraag = {"bevoegdGezag": "ZH", **({"peildatum": dag} if dag else {})}
            vraag |= {"kennisdatum": kennis} if kennis else {}
            r = api.get("/v1/spoedlocaties", params=vraag, headers=ZH)
            assert r.status_code == 200, r.text
            per_site = {
                s["locatieId"]: {k: v for k, v in s.items() if k not in ("locatieId", "_links")}
                for s in r.json()["_embedded"]["spoedlocaties"]
            }
            assert per_site.get("ZH051300010") == per_site.get("ZH051300011"), (dag, kennis)


def bekend(rijen: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows still known (``bekend_tot`` empty). The single commands, each at its own record
    time, also leave the rows a later command superseded; the import records a site's history
    at one moment, where such a row would be known from and until the same moment (no read sees
    it), so it writes none of them."""
    return [r for r in rijen if r[0]]


def test_every_line_gets_its_result_in_order_and_a_bad_line_stores_nothing(
    api: TestClient, sql_engine: Engine
) -> None:
    goed = _regels("ZH051300001")
    slecht_body = {**goed[2], "sleutel": "slecht", "versie": 2, "body": {"risicotype": "x"}}
    regels: list[Any] = [
        *goed[:2],
        "geen json",
        slecht_body,
        {"soort": "statuswijzigingen", "locatieId": "ZH051300001", "body": {"naar": "x"}},
        *goed[2:],
    ]
    uit = _importeer(api, regels)
    assert [u["regel"] for u in uit] == list(range(1, len(regels) + 1))
    assert [u["status"] for u in uit] == [201, 201, 400, 400, 400, *[201] * (len(goed) - 2)]
    assert uit[3]["sleutel"] == "slecht"
    assert uit[3]["probleem"]["invalidParams"][0]["name"].startswith("body.")
    assert {p["name"] for p in uit[4]["probleem"]["invalidParams"]} == {"versie"}
    assert uit[-1] == {
        "regel": len(regels),
        "sleutel": goed[-1]["sleutel"],
        "status": 201,
        "locatieId": "ZH051300001",
        "versie": len(goed),
    }
    assert aantal_events(sql_engine) == len(goed)


def test_a_line_on_a_refused_line_is_refused_too_and_stores_nothing(
    api: TestClient, sql_engine: Engine
) -> None:
    regels = _regels("ZH051300002")
    # The status change refused (no such transition): the lines after it count on its version.
    regels[1] = {**regels[1], "body": {"naar": "gesaneerd", "besluitdatum": "2010-06-01"}}
    uit = _importeer(api, regels[:3])
    assert [u["status"] for u in uit] == [201, 409, 412]
    zonder_registratie = _importeer(api, _regels("ZH051300003")[1:2])
    assert zonder_registratie[0]["status"] == 404
    assert aantal_events(sql_engine) == 1


def test_sending_the_file_again_records_nothing_new_and_answers_the_same(
    api: TestClient, sql_engine: Engine
) -> None:
    regels = [
        *_regels("ZH051300004"),
        {"soort": "registratie", "body": {**NIEUW, "naam": "Zonder id of sleutel"}},
    ]
    eerst = _importeer(api, regels)
    voor = aantallen(sql_engine)
    opnieuw = _importeer(api, regels)
    assert aantallen(sql_engine) == voor
    assert [{**u, "herhaald": True} for u in eerst] == opnieuw
    # The same key with other content is refused, not recorded.
    anders = {**regels[3], "body": {**regels[3]["body"], "bedragEuro": 1}}
    (u,) = _importeer(api, [anders])
    assert u["status"] == 422
    assert aantallen(sql_engine) == voor
    with sql_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(import_regels)).scalar_one() == 8


def test_a_key_repeated_within_one_request_answers_from_its_first_line(
    api: TestClient, sql_engine: Engine
) -> None:
    """A key recorded earlier in the same batch: the same line answers as repeated, another
    line with it is refused; neither records anything (the batch's own keys, not the database's,
    are the ones asked)."""
    eerste, tweede = _regels("ZH051300014", "binnen-")[:2]
    anders = {**tweede, "body": {**tweede["body"], "besluitdatum": "2010-06-02"}}
    uit = _importeer(api, [eerste, tweede, tweede, anders, eerste])
    assert [(u["status"], u.get("herhaald")) for u in uit] == [
        (201, None),
        (201, None),
        (201, True),
        (422, None),
        (201, True),
    ]
    assert [(u.get("locatieId"), u.get("versie")) for u in uit[:3]] == [
        ("ZH051300014", 1),
        ("ZH051300014", 2),
        ("ZH051300014", 2),
    ]
    assert uit[4]["versie"] == 1
    assert len(_events(sql_engine, "ZH051300014")) == 2


def test_another_bevoegd_gezag_s_site_is_refused_per_line(
    api: TestClient, sql_engine: Engine
) -> None:
    _importeer(api, _regels("ZH051300005")[:1])
    ut = token(organisatie="UT")
    uit = _importeer(
        api,
        [
            _regels("ZH051300005", "ut-")[1],
            {"soort": "registratie", "body": {**NIEUW, "naam": "Niet van UT"}},
            {
                "soort": "registratie",
                "body": {**NIEUW, "bevoegdGezag": "UT", "gemeentecode": "0356"},
            },
        ],
        headers=ut,
    )
    assert [u["status"] for u in uit] == [403, 403, 201]
    assert aantal_events(sql_engine) == 2
    r = api.post(
        "/v1/spoedlocaties/import",
        content=json.dumps(_regels("ZH051300006")[0]),
        headers={**token(Rol.RIJK, None), **NDJSON},
    )
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert aantal_events(sql_engine) == 2


def test_imported_events_equal_the_single_commands_events(
    api: TestClient, sql_engine: Engine
) -> None:
    regels = _regels("ZH051300008")
    assert {u["status"] for u in _importeer(api, regels)} == {201}
    enkel = "ZH051300009"
    _enkel(api, enkel, STAPPEN)

    def zonder_id(rijen: list[tuple[str, dict[str, Any], str]]) -> list[Any]:
        return [
            (t, {k: v for k, v in d.items() if k != "locatie_id"}, o)
            for t, d, o in rijen
            if t != "spoedlocatie-registratie-gecorrigeerd"
        ]

    geimporteerd, los = _events(sql_engine, "ZH051300008"), _events(sql_engine, enkel)
    assert [t for t, _, _ in geimporteerd] == [t for t, _, _ in los]
    assert zonder_id(geimporteerd) == zonder_id(los)  # a correction's occurred_at is its own day
    assert geimporteerd[-1][1] == los[-1][1]
    for path in ("", "/gebeurtenissen"):
        a = api.get(f"/v1/spoedlocaties/ZH051300008{path}", headers=ZH)
        b = api.get(f"/v1/spoedlocaties/{enkel}{path}", headers=ZH)
        assert a.status_code == b.status_code == 200
    a_site = api.get("/v1/spoedlocaties/ZH051300008", headers=ZH).json()
    b_site = api.get(f"/v1/spoedlocaties/{enkel}", headers=ZH).json()
    weg = ("locatieId", "_links")
    assert {k: v for k, v in a_site.items() if k not in weg} == {
        k: v for k, v in b_site.items() if k not in weg
    }
    assert _standen(sql_engine, "ZH051300008") == _standen(sql_engine, enkel)
    historisch = api.get("/v1/spoedlocaties?peildatum=2011-06-01&bevoegdGezag=ZH", headers=ZH)
    assert historisch.json()["_embedded"]["spoedlocaties"][0]["budgetEuro"] == 100_000


def test_the_imported_log_is_sealed_and_verifies(api: TestClient, sql_engine: Engine) -> None:
    regels = [r for i in range(1, 40) for r in _regels(f"ZH0513{i:05d}")]
    uit = _importeer(api, regels)
    assert {u["status"] for u in uit} == {201}
    verzegeld(api)
    container = api.app.state.container  # type: ignore[attr-defined]
    with container.sessions() as session:
        log = verzegelde(session, container.source, store_id(session), limiet=10_000)
    assert len(log) == len(regels)
    uitslag = verify.controleer(log)
    assert uitslag.in_orde, uitslag.bevindingen[:3]
    assert uitslag.gecontroleerd == len(regels)


def test_the_import_path_is_no_site_named_import(api: TestClient) -> None:
    """Other methods on the concrete path answer 405 naming POST (OpenAPI matches a concrete
    path before a templated one), not the site route's 400 for an id "import"."""
    for methode in ("GET", "PUT", "DELETE"):
        antwoord = api.request(methode, "/v1/spoedlocaties/import", headers=ZH)
        assert antwoord.status_code == 405, methode
        assert antwoord.headers["Allow"] == "POST"
        assert antwoord.headers["content-type"].startswith("application/problem+json")


def test_a_line_with_a_nul_character_is_refused_and_stores_nothing(
    api: TestClient, sql_engine: Engine
) -> None:
    """Escaped (after an even number of backslashes) or raw; an escaped backslash followed by
    the text "u0000" is no NUL and passes."""

    def regel(n: int, naam: str) -> str:
        r = _regels(f"ZH05130001{n}")[0]
        return json.dumps({**r, "body": {**r["body"], "naam": "NAAM"}}).replace("NAAM", naam)

    regels = [
        regel(1, "Gas\\u0000fabriek"),
        regel(2, "Gas\\\\\\u0000fabriek"),
        regel(3, "Gas\x00fabriek"),
        regel(4, "Gas\\\\u0000fabriek"),
    ]
    uit = _importeer(api, regels)
    assert [u["status"] for u in uit] == [400, 400, 400, 201]
    for u in uit[:3]:
        assert u["probleem"]["invalidParams"][0]["reason"].startswith("bevat een NUL")
    assert aantal_events(sql_engine) == 1


# Every kind of command line, with the optional fields and texts the schemas normalise (an
# accent typed as two code points, spaces around), so every request schema, command and
# handler of the import is compared with the single command's.
ALLE_SOORTEN: list[tuple[str, int, dict[str, Any]]] = [
    (
        "statuswijzigingen",
        1,
        {"naar": "onderzocht", "besluitdatum": "2010-06-01", "toelichting": " Cafe\u0301 "},
    ),
    (
        "risicobeoordelingen",
        2,
        {
            "risicotype": "ecologisch",
            "vastgesteld": False,
            "criteria": [],
            "beoordelingsdatum": "2010-07-01",
            "toelichting": "nog niet vastgesteld",
        },
    ),
    ("knelpunten", 3, {"knelpunt": "financieel", "datum": "2011-02-01", "toelichting": "geld"}),
    ("budgettoekenningen", 4, {"bedragEuro": 100_000, "datum": "2011-03-01", "bron": "ISV"}),
    ("budgettoekenningen", 5, {"bedragEuro": -20_000, "datum": "2011-04-01", "bron": "ISV"}),
    (
        "kostenboekingen",
        6,
        {"bedragEuro": 30_000, "datum": "2012-05-01", "omschrijving": "Nader onderzoek"},
    ),
    ("planningen", 7, {"onderzoekGereed": "2030-01-01", "datum": "2012-06-01"}),
    (
        "planningen",
        8,
        {
            "startSanering": "2031-01-01",
            "afgehandeld": "2032-06-30",
            "datum": "2012-06-01",
            "reden": "uitgesteld",
        },
    ),
    ("statuswijzigingen", 9, {"naar": "ernstig-spoed", "besluitdatum": "2012-08-01"}),
    ("overdrachten", 10, {"naar": "UT", "datum": "2013-01-01", "reden": "grenscorrectie"}),
]


@pytest.mark.parametrize("correctie", [False, True])
def test_every_kind_of_line_records_what_its_single_command_records(
    api: TestClient, sql_engine: Engine, correctie: bool
) -> None:
    """Each command the import knows, once through the import and once as single commands:
    the same events (type, data, business time, metadata but the correlation id) and the same
    read models. Without a correction the bitemporal rows are worked out in memory, with one by
    the replay. One line's envelope is not in the plain shape (its version a string pydantic
    converts), so it takes pydantic's way."""
    stappen = list(ALLE_SOORTEN)
    if correctie:
        stappen.insert(
            -1,
            (
                "correcties",
                10,
                {"gecorrigeerdeVersie": 2, "correctie": {"toelichting": "anders"}, "reden": "x"},
            ),
        )
        stappen[-1] = (*stappen[-1][:1], 11, stappen[-1][2])
    ids = ("ZH051300020", "ZH051300021") if correctie else ("ZH051300022", "ZH051300023")
    regels: list[dict[str, Any]] = [
        {"soort": "registratie", "locatieId": ids[0], "body": {**NIEUW, "geometrie": GOUDA}},
        *({"soort": p, "locatieId": ids[0], "versie": v, "body": b} for p, v, b in stappen),
    ]
    regels[3]["versie"] = str(regels[3]["versie"])
    uit = _importeer(api, regels)
    assert [u["status"] for u in uit] == [201] * len(regels), uit
    assert [u["versie"] for u in uit] == list(range(1, len(regels) + 1))
    _enkel(api, ids[1], stappen)

    def vergelijkbaar(locatie_id: str) -> list[Any]:
        with sql_engine.connect() as conn:
            rijen = conn.execute(
                select(
                    events.c.version,
                    events.c.event_type,
                    events.c.schema_version,
                    events.c.data,
                    events.c.event_metadata,
                    events.c.occurred_at,
                )
                .where(events.c.stream_id == locatie_id)
                .order_by(events.c.version)
            ).all()
        return [
            (
                versie,
                soort,
                schema,
                {k: w for k, w in data.items() if k != "locatie_id"},
                {k: w for k, w in meta.items() if k != "correlation_id"},
                # A correction's business time is the day it is recorded.
                moment.isoformat() if soort != "spoedlocatie-registratie-gecorrigeerd" else None,
            )
            for versie, soort, schema, data, meta, moment in rijen
        ]

    assert vergelijkbaar(ids[0]) == vergelijkbaar(ids[1])
    assert len(vergelijkbaar(ids[0])) == len(regels)
    # The site now belongs to Utrecht: read it as Utrecht.
    ut = token(Rol.BEVOEGD_GEZAG, "UT")
    a, b = (api.get(f"/v1/spoedlocaties/{i}", headers=ut).json() for i in ids)
    weg = ("locatieId", "_links")
    assert {k: v for k, v in a.items() if k not in weg} == {
        k: v for k, v in b.items() if k not in weg
    }
    assert a["bevoegdGezag"] == "UT" and a["versie"] == len(regels)
    enkel = _standen(sql_engine, ids[1])
    assert _standen(sql_engine, ids[0]) == (enkel if correctie else bekend(enkel))


def test_a_command_line_without_site_and_version_names_both(api: TestClient) -> None:
    uit = _importeer(api, [{"soort": "knelpunten", "body": {"knelpunt": "financieel"}}])
    assert uit[0]["status"] == 400
    assert [p["name"] for p in uit[0]["probleem"]["invalidParams"]] == ["locatieId", "versie"]
    assert "locatieId, versie ontbreekt" in uit[0]["probleem"]["detail"]


def test_a_numbered_registration_passes_over_an_id_registered_earlier_in_the_batch(
    api: TestClient, sql_engine: Engine
) -> None:
    """The service numbers ZH0513 from 1, and a line before registered ZH051300001 explicitly:
    the numbered one takes the next free number, as the single registration does, and the first
    site keeps its own registration (not overwritten in memory, its line's 201 a lie)."""
    antwoorden = _importeer(
        api,
        [
            {"soort": "registratie", "locatieId": "ZH051300001", "body": {**NIEUW, "naam": "A"}},
            {"soort": "registratie", "body": {**NIEUW, "naam": "B"}},
        ],
    )
    assert [(a["status"], a.get("locatieId")) for a in antwoorden] == [
        (201, "ZH051300001"),
        (201, "ZH051300002"),
    ]
    assert aantal_events(sql_engine) == 2
    assert api.get("/v1/spoedlocaties/ZH051300002", headers=ZH).json()["naam"] == "B"


def test_a_numbered_registration_passes_over_an_id_an_earlier_request_registered(
    api: TestClient, sql_engine: Engine
) -> None:
    """The explicit id is in the store, not in the import's memory: before, the numbered line
    clashed at the append and was answered "send it again", which failed the same way forever."""
    eerst = _importeer(
        api, [{"soort": "registratie", "locatieId": "ZH051300001", "body": {**NIEUW, "naam": "A"}}]
    )
    assert eerst[0]["status"] == 201
    daarna = _importeer(api, [{"soort": "registratie", "body": {**NIEUW, "naam": "B"}}])
    assert (daarna[0]["status"], daarna[0].get("locatieId")) == (201, "ZH051300002")
    assert aantal_events(sql_engine) == 2
    assert api.get("/v1/spoedlocaties/ZH051300001", headers=ZH).json()["naam"] == "A"


def test_registrations_with_their_own_ids_are_not_asked_of_the_store_one_by_one(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's sites are looked up in one query before its lines run (``load_many``), so
    an explicit id is answered from that: it asked the store again for each registration, a
    query per line, ~15 % of a worker's CPU in the bench's import."""
    geladen: list[str] = []
    laad = SqlEventStore.load

    def tel(self: SqlEventStore, stream_id: str, *args: Any, **kw: Any) -> Any:
        geladen.append(stream_id)
        return laad(self, stream_id, *args, **kw)

    monkeypatch.setattr(SqlEventStore, "load", tel)
    uit = _importeer(
        api,
        [
            {"soort": "registratie", "locatieId": f"ZH0513{k:05d}", "body": {**NIEUW, "naam": "x"}}
            for k in range(1, 21)
        ]
        + [{"soort": "registratie", "locatieId": "ZH051300001", "body": {**NIEUW, "naam": "y"}}],
    )
    assert [a["status"] for a in uit] == [201] * 20 + [409]
    assert geladen == []


def _tussen_batches(
    api: TestClient,
    sql_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    regels: list[Any],
    pad: str = "",
    body: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Import ``regels`` in batches of two; before the second batch another request (the
    single API, another app on the same database) posts ``body`` to ``pad``: by default it
    registers ZH051300001, which the first batch looked up and did not find."""
    monkeypatch.setattr(routes_import, "BATCH_REGELS", 2)
    verwerk = Importeur.verwerk
    batches: list[int] = []
    with locaties_client(sql_engine, relay_enabled=False) as ander:

        def tussendoor(self: Importeur, batch: Any) -> Any:
            batches.append(len(batch))
            if len(batches) == 2:
                r = ander.post(
                    f"/v1/spoedlocaties{pad}",
                    json=body or {**NIEUW, "naam": "ander", "locatieId": "ZH051300001"},
                    headers={**ZH, "If-Match": '"1"'} if pad else ZH,
                )
                assert r.status_code == 201, r.text
            return verwerk(self, batch)

        monkeypatch.setattr(Importeur, "verwerk", tussendoor)
        uit = _importeer(api, regels)
    assert len(batches) == 2
    return uit


def test_a_site_another_request_registered_between_batches_is_that_line_s_409(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch looked ZH051300001 up and found nothing (a command on it: 404); another
    request registers it; a later batch's registration of it is answered 409, as the single
    registration is, and the other lines of that batch are recorded (on SQLite the append's
    conflict failed the whole batch: every line 503)."""
    wijziging = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}
    uit = _tussen_batches(
        api,
        sql_engine,
        monkeypatch,
        [
            {"soort": "statuswijzigingen", "locatieId": "ZH051300001", "versie": 1}
            | {"body": wijziging},
            {"soort": "registratie", "locatieId": "ZH051300002", "body": NIEUW},
            {"soort": "registratie", "locatieId": "ZH051300001", "body": NIEUW},
            {"soort": "registratie", "locatieId": "ZH051300003", "body": NIEUW},
        ],
    )
    assert [a["status"] for a in uit] == [404, 201, 409, 201]
    assert aantal_events(sql_engine) == 3
    assert api.get("/v1/spoedlocaties/ZH051300001", headers=ZH).json()["naam"] == "ander"


def test_a_number_another_request_took_between_batches_is_passed_over(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above, and the later batch numbers a registration under ZH0513: number 1 is taken
    meanwhile, so it gets number 2 and the batch's other line is recorded too."""
    wijziging = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}
    uit = _tussen_batches(
        api,
        sql_engine,
        monkeypatch,
        [
            {"soort": "statuswijzigingen", "locatieId": "ZH051300001", "versie": 1}
            | {"body": wijziging},
            {"soort": "registratie", "locatieId": "ZH051300009", "body": NIEUW},
            {"soort": "registratie", "body": NIEUW},
            {"soort": "registratie", "locatieId": "ZH051300008", "body": NIEUW},
        ],
    )
    assert [(a["status"], a.get("locatieId")) for a in uit] == [
        (404, None),
        (201, "ZH051300009"),
        (201, "ZH051300002"),
        (201, "ZH051300008"),
    ]
    assert api.get("/v1/spoedlocaties/ZH051300001", headers=ZH).json()["naam"] == "ander"


def test_a_site_another_request_changed_between_batches_is_that_line_s_412(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch registers ZH051300001 (kept in memory); another request changes its
    status; a later batch's command on version 1 is answered 412, as the single command is,
    and the batch's other line is recorded (on SQLite the append's conflict failed the whole
    batch: every line 503)."""
    wijziging = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}
    uit = _tussen_batches(
        api,
        sql_engine,
        monkeypatch,
        [
            {"soort": "registratie", "locatieId": "ZH051300001", "body": NIEUW},
            {"soort": "registratie", "locatieId": "ZH051300002", "body": NIEUW},
            {"soort": "statuswijzigingen", "locatieId": "ZH051300001", "versie": 1}
            | {"body": wijziging},
            {"soort": "registratie", "locatieId": "ZH051300003", "body": NIEUW},
        ],
        "/ZH051300001/statuswijzigingen",
        wijziging,
    )
    assert [a["status"] for a in uit] == [201, 201, 412, 201]
    assert aantal_events(sql_engine) == 4
