"""A locaties app on a real database, driven through HTTP in-process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import event_seals, events

SECRET = "test-secret-" + "x" * 32


def token(rol: Rol = Rol.BEVOEGD_GEZAG, organisatie: str | None = "ZH") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(SECRET, 'tester', rol, organisatie)}"}


@contextmanager
def locaties_client(engine: Engine, **settings: Any) -> Iterator[TestClient]:
    url = engine.url.render_as_string(hide_password=False)
    cfg = LocatiesSettings(
        database_url=url, jwt_secret=SECRET, **{"kafka_enabled": False, **settings}
    )
    with TestClient(create_app(cfg)) as client:
        yield client


NIEUW: dict[str, Any] = {
    "bevoegdGezag": "ZH",
    "gemeentecode": "0513",
    "naam": "Voormalige gasfabriek",
    "bodemtype": "landbodem",
    "verontreinigingsgroepen": ["pak", "cyaniden"],
    "registratiedatum": "2010-03-15",
}


def registreer(client: TestClient, headers: dict[str, str]) -> str:
    """Registers :data:`NIEUW` with ``headers``; the new site's id."""
    response = client.post("/v1/spoedlocaties", json=NIEUW, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["locatieId"])


def verzegeld(client: TestClient, timeout: float = 10.0) -> None:
    """Wait until the app's relay has sealed every event committed so far (reads never seal:
    the feed shows only what the relay sealed)."""
    sessions = client.app.state.container.sessions  # type: ignore[attr-defined]
    query = select(
        select(func.max(events.c.position)).scalar_subquery(),
        select(func.max(event_seals.c.position)).scalar_subquery(),
    )
    einde = time.monotonic() + timeout
    while True:
        with sessions() as session:
            laatste, verzegeld_tot = session.execute(query).one()
        if laatste == verzegeld_tot:
            return
        assert time.monotonic() < einde, f"relay sealed up to {verzegeld_tot} of {laatste}"
        time.sleep(0.005)
