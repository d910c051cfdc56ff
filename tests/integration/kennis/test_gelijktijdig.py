"""Two commands on one question at once, on the real database: the one that commits second
gets a 409 to retry (GelijktijdigGewijzigd), and only the first one's events are stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from services.kennis.bootstrap import Container
from services.kennis.domain import commands
from services.kennis.domain.model import GelijktijdigGewijzigd
from services.kennis.entrypoints.app import create_app
from services.kennis.service_layer import messagebus
from services.kennis.service_layer.unit_of_work import SqlKennisUnitOfWork
from shared.auth import Principal, Rol
from shared.eventstore.tables import events
from shared.unit_of_work import Actor
from tests.support.kennis import kennis_settings
from tests.support.locaties import token

VRAAG = {"titel": "WKO", "tekst": "Mag WKO in een pluim?", "themas": ["bodemenergie-wko"]}


def _actor(container: Container, login: str, organisatie: str) -> Actor:
    return Actor.for_caller(
        Principal(login, Rol.BEVOEGD_GEZAG, organisatie), *container.wie(login), None
    )


def test_the_second_of_two_concurrent_answers_is_a_conflict(pg_engine: Engine) -> None:
    cfg = kennis_settings(pg_engine)
    with TestClient(create_app(cfg)) as api:
        vraag = api.post("/v1/kennisvragen", json=VRAAG, headers=token(Rol.BEVOEGD_GEZAG, "ZL"))
        vraag_id = vraag.json()["vraagId"]
        container: Container = api.app.state.container  # type: ignore[attr-defined]
        ander = _actor(container, "anne@ut.nl", "UT")

        class EenAnderGingVoor(SqlKennisUnitOfWork):
            def commit(self) -> None:
                eerder = commands.BeantwoordVraag(vraag_id, "Eerder antwoord")
                messagebus.handle(eerder, container.uow(ander))
                super().commit()

        uow = EenAnderGingVoor(
            container.sessions,
            cfg.kennis_topic,
            personen=container.personen,
            actor=_actor(container, "piet@zl.nl", "ZL"),
        )
        with pytest.raises(GelijktijdigGewijzigd):
            messagebus.handle(commands.BeantwoordVraag(vraag_id, "Later antwoord"), uow)
        with pg_engine.connect() as conn:
            opgeslagen = conn.execute(
                select(events.c.version, events.c.data).where(events.c.stream_id == vraag_id)
            ).all()
        assert [(v, d.get("tekst")) for v, d in opgeslagen] == [
            (1, VRAAG["tekst"]),
            (2, "Eerder antwoord"),
        ]
        beantwoord = api.get(f"/v1/kennisvragen/{vraag_id}", headers=token(Rol.AUDITOR, None))
        assert [a["tekst"] for a in beantwoord.json()["antwoorden"]] == ["Eerder antwoord"]
