"""The list on a peildatum and kennisdatum: every site in it equals the single read with the
same parameters, and the sites missing from it are the ones the single read does not find. On
a history with late registrations, facts dated before earlier ones, a transfer between
bevoegde gezagen and corrections recorded years later, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select

from services.locaties.adapters.projection import herbouw_standen
from services.locaties.adapters.tables import spoedlocatie_standen
from services.locaties.domain import commands
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from shared.auth import Principal, Rol
from shared.db.engine import make_session_factory
from shared.eventstore.tables import events
from shared.vocabulaire import RisicoType, Status
from tests.support.locaties import locaties_client, token, verzegeld


def _namens(gezag: str) -> handlers.Actor:
    """Only a site's own bevoegd gezag changes it."""
    sub = f"medewerker@{gezag.lower()}.nl"
    return handlers.Actor(Principal(sub, Rol.BEVOEGD_GEZAG, gezag))


LEZER = token(Rol.AUDITOR, None)
PAD = [
    Status.ONDERZOCHT,
    Status.ERNSTIG_SPOED,
    Status.SANERINGSPLAN,
    Status.SANERING_GESTART,
    Status.GESANEERD,
]
GEZAGEN = [("ZH", "0513"), ("UT", "0356"), ("GR", "0047")]


class Klok:
    def __init__(self) -> None:
        self.nu = datetime(2010, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.nu


@dataclass
class Stap:
    vastgelegd: datetime
    locatie: int
    commando: type
    velden: dict[str, Any]

    def maak(self, locatie_id: str, versie: int) -> Any:
        if self.commando is commands.RegistreerSpoedlocatie:
            return self.commando(**self.velden)
        return self.commando(locatie_id=locatie_id, verwachte_versie=versie, **self.velden)


def _plan(rnd: random.Random, n: int) -> list[Stap]:
    """Per site: registration, a walk along the lifecycle, risks, money, sometimes a transfer;
    each recorded 0-90 days after its business date (never before the site's previous step),
    and for some a decision date corrected years later."""
    stappen: list[Stap] = []
    for i in range(n):
        gezag, gemeente = GEZAGEN[i % len(GEZAGEN)]
        datum = date(2010, 1, 1) + timedelta(days=rnd.randrange(900))
        registratie = {
            "bevoegd_gezag": gezag,
            "gemeentecode": gemeente,
            "naam": f"Locatie {i}",
            "bodemtype": "landbodem",
            "verontreinigingsgroepen": ("pak",),
            "geometrie_rd": None,
            "registratiedatum": datum,
        }
        eigen: list[tuple[date, type, dict[str, Any]]] = [
            (datum, commands.RegistreerSpoedlocatie, registratie)
        ]
        for naar in PAD[: rnd.randrange(len(PAD) + 1)]:
            datum += timedelta(days=rnd.randrange(1, 300))
            status = {"naar": naar, "besluitdatum": datum, "toelichting": ""}
            eigen.append((datum, commands.WijzigStatus, status))
        for _ in range(rnd.randrange(3)):
            # Often dated before the site's last decision: it changes the past.
            d = eigen[0][0] + timedelta(days=rnd.randrange(1, 1200))
            andere = next(g for g, _ in GEZAGEN if g != gezag)
            eigen.append(
                rnd.choice(
                    [
                        (
                            d,
                            commands.BeoordeelRisico,
                            {
                                "risicotype": RisicoType.HUMAAN,
                                "vastgesteld": True,
                                "criteria": ("ingestie-grond",),
                                "beoordelingsdatum": d,
                                "toelichting": "",
                            },
                        ),
                        (
                            d,
                            commands.KenBudgetToe,
                            {"bedrag_euro": 10_000, "datum": d, "bron": "x"},
                        ),
                        (
                            d,
                            commands.BoekKosten,
                            {"bedrag_euro": 2_500, "datum": d, "omschrijving": "x"},
                        ),
                        (d, commands.DraagOver, {"naar": andere, "datum": d, "reden": "x"}),
                    ]
                )
            )
        vorige = datetime(2010, 1, 1, tzinfo=UTC)
        for d, commando, velden in eigen:
            moment = datetime.combine(d, time(10), tzinfo=UTC)
            vorige = max(vorige, moment + timedelta(days=rnd.randrange(90)))
            stappen.append(Stap(vorige, i, commando, velden))
        if len(eigen) > 2 and rnd.random() < 0.4:
            # The first decision (version 2) turns out to have been taken a day later.
            nieuw = {"besluitdatum": (eigen[1][0] + timedelta(days=1)).isoformat()}
            correctie = {"gecorrigeerde_versie": 2, "correctie": nieuw, "reden": "x"}
            stappen.append(Stap(vorige + timedelta(days=700), i, commands.Corrigeer, correctie))
    return sorted(stappen, key=lambda s: s.vastgelegd)


def _vul(engine: Engine, stappen: list[Stap]) -> list[str]:
    sessions = make_session_factory(engine)
    klok = Klok()
    ids: dict[int, str] = {}
    versies: dict[int, int] = {}
    eigenaar: dict[int, str] = {}
    for stap in stappen:
        klok.nu = stap.vastgelegd
        cmd = stap.maak(ids.get(stap.locatie, ""), versies.get(stap.locatie, 0))
        uow = SqlLocatiesUnitOfWork(sessions, clock=klok)
        gezag = stap.velden.get("bevoegd_gezag") or eigenaar[stap.locatie]
        try:
            locatie = handlers.handle(cmd, uow.namens(_namens(gezag)))
        except handlers.OngeldigeWaarde:
            continue  # e.g. a decision after a correction moved it: the domain refuses it
        eigenaar[stap.locatie] = locatie.bevoegd_gezag
        ids[stap.locatie], versies[stap.locatie] = locatie.id, locatie.version
    return sorted(ids.values())


def _lijst(api: TestClient, **params: str) -> dict[str, dict[str, Any]]:
    uit: dict[str, dict[str, Any]] = {}
    pagina = 1
    while True:
        r = api.get("/v1/spoedlocaties", params={**params, "pageSize": "7", "page": str(pagina)})
        assert r.status_code == 200, r.text
        for x in r.json()["_embedded"]["spoedlocaties"]:
            uit[x["locatieId"]] = x
        if "next" not in r.json()["_links"]:
            assert len(uit) == int(r.headers["X-Total-Count"])
            return uit
        pagina += 1


def _enkel(api: TestClient, ids: list[str], **params: str) -> dict[str, dict[str, Any]]:
    uit = {}
    for lid in ids:
        r = api.get(f"/v1/spoedlocaties/{lid}", params=params, headers=LEZER)
        assert r.status_code in (200, 404), r.text
        if r.status_code == 200:
            uit[lid] = r.json()
    return uit


def test_the_historic_list_equals_the_single_reads(sql_engine: Engine) -> None:
    rnd = random.Random(2013)
    with locaties_client(sql_engine) as api:
        api.headers.update(LEZER)
        ids = _vul(sql_engine, _plan(rnd, 24))
        assert len(ids) == 24
        momenten: list[dict[str, str]] = [{}]
        for _ in range(14):
            kennis = date(2010, 3, 1) + timedelta(days=rnd.randrange(2600))
            peil = kennis - timedelta(days=rnd.randrange(0, 400))
            momenten += [
                {"peildatum": peil.isoformat(), "kennisdatum": kennis.isoformat()},
                {"peildatum": peil.isoformat()},
                {"kennisdatum": kennis.isoformat()},
            ]
        gezien = set()
        for params in momenten:
            lijst = _lijst(api, **params)
            assert lijst == _enkel(api, ids, **params), params
            gezien.add(repr(sorted(lijst.items())))
            for status in ("onderzocht", "gesaneerd"):
                gefilterd = _lijst(api, **params, status=status)
                assert gefilterd == {k: v for k, v in lijst.items() if v["status"] == status}
            gefilterd = _lijst(api, **params, bevoegdGezag="UT")
            assert gefilterd == {k: v for k, v in lijst.items() if v["bevoegdGezag"] == "UT"}
        assert len(gezien) > 20  # the moments really differ
        with sql_engine.connect() as conn:
            soorten = set(conn.execute(select(events.c.event_type)).scalars())
        assert {
            "spoedlocatie-registratie-gecorrigeerd",
            "spoedlocatie-bevoegd-gezag-overgedragen",
        } <= soorten


def test_rebuilding_the_history_from_the_events_gives_the_same_rows(sql_engine: Engine) -> None:
    with locaties_client(sql_engine) as api:
        api.headers.update(LEZER)
        _vul(sql_engine, _plan(random.Random(7), 10))
        params = {"peildatum": "2012-06-30", "kennisdatum": "2013-01-31"}
        voor = _lijst(api, **params), _lijst(api, peildatum="2011-12-31"), _lijst(api)
        with make_session_factory(sql_engine).begin() as session:
            assert herbouw_standen(session) == 10
        assert (_lijst(api, **params), _lijst(api, peildatum="2011-12-31"), _lijst(api)) == voor
    # A database from before the history table: the service fills it when it starts.
    with sql_engine.begin() as conn:
        conn.execute(delete(spoedlocatie_standen))
    with locaties_client(sql_engine) as api:
        api.headers.update(LEZER)
        assert (_lijst(api, **params), _lijst(api, peildatum="2011-12-31"), _lijst(api)) == voor


def test_the_list_refuses_impossible_moments(sql_engine: Engine) -> None:
    with locaties_client(sql_engine) as api:
        api.headers.update(LEZER)
        later = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
        for params in (
            {"peildatum": "2013-02-01", "kennisdatum": "2013-01-01"},
            {"peildatum": later},
            {"kennisdatum": later},
            {"peildatum": "2013-02-30"},
        ):
            r = api.get("/v1/spoedlocaties", params=params)
            assert r.status_code == 400, params
            assert r.headers["content-type"] == "application/problem+json"


def test_the_event_history_as_known_then_and_as_happened_by_then(sql_engine: Engine) -> None:
    with locaties_client(sql_engine) as api:
        api.headers.update(LEZER)
        ids = _vul(sql_engine, _plan(random.Random(11), 6))
        verzegeld(api)  # histories show unsealed events without seal fields until the relay ran
        for lid in ids:
            alles = api.get(f"/v1/spoedlocaties/{lid}/gebeurtenissen").json()["gebeurtenissen"]
            for kennis in ("2011-06-30", "2012-12-31", "2014-06-30"):
                r = api.get(f"/v1/spoedlocaties/{lid}/gebeurtenissen?kennisdatum={kennis}")
                enkel = api.get(f"/v1/spoedlocaties/{lid}?kennisdatum={kennis}")
                assert r.status_code == enkel.status_code
                if r.status_code == 200:
                    bekend = r.json()["gebeurtenissen"]
                    assert bekend == alles[: len(bekend)]
                    assert len(bekend) == enkel.json()["versie"]
                    assert all(e["time"] < f"{kennis}T24" for e in bekend)
            peil = "2012-06-30"
            r = api.get(f"/v1/spoedlocaties/{lid}/gebeurtenissen?peildatum={peil}")
            gebeurd = [e for e in alles if e["occurredat"][:10] <= peil]
            assert r.status_code == (200 if gebeurd else 404)
            if gebeurd:
                assert r.json()["gebeurtenissen"] == gebeurd
