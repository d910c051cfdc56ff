"""Locaties events over Kafka make a bevoegd gezag that is ahead in remediation a koploper.
Locaties and kennis log in as their own principals with the deployment's ACLs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.kennis.bootstrap import VERSIONS as KENNIS_VERSIONS
from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from shared.auth import Rol
from shared.messaging.acls import KENNIS_PRINCIPAL, LOCATIES, Names
from tests.support.infra import (
    KAFKA_BOOTSTRAP,
    create_topic,
    login_file,
    postgres_database,
    service_grants,
)
from tests.support.locaties import NIEUW, SECRET, locaties_client, token

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
UP = token(Rol.UITVOERINGSPROGRAMMA, None)
NAAR_GESANEERD = ["onderzocht", "ernstig-spoed", "saneringsplan", "sanering-gestart", "gesaneerd"]


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([LOCATIES_VERSIONS])),
            stack.enter_context(postgres_database([KENNIS_VERSIONS])),
        )


def test_a_bevoegd_gezag_ahead_in_remediation_becomes_koploper(
    databases: tuple[Engine, Engine],
) -> None:
    locaties_db, kennis_db = databases
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    kennis_topic = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    kennis_cfg = KennisSettings(
        database_url=kennis_db.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        kafka_credentials_file=login_file(KENNIS_PRINCIPAL),
        spoedlocaties_topic=topic,
        kennis_topic=kennis_topic,
    )
    with (
        service_grants(Names(spoedlocaties=topic, kennis=kennis_topic)),
        locaties_client(
            locaties_db,
            kafka_enabled=True,
            kafka_bootstrap=KAFKA_BOOTSTRAP,
            kafka_credentials_file=login_file(LOCATIES),
            spoedlocaties_topic=topic,
        ) as locaties,
        TestClient(kennis_app(kennis_cfg)) as kennis,
    ):
        for gezag, gemeente, stappen in (
            ("ZL", "0687", NAAR_GESANEERD),
            ("UT", "0356", NAAR_GESANEERD[:2]),
        ):
            for _ in range(4):
                eigen = token(Rol.BEVOEGD_GEZAG, gezag)  # only a site's own gezag writes it
                locatie = locaties.post(
                    "/v1/spoedlocaties",
                    headers=eigen,
                    json={**NIEUW, "bevoegdGezag": gezag, "gemeentecode": gemeente},
                ).json()
                for versie, naar in enumerate(stappen, start=1):
                    response = locaties.post(
                        f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen",
                        headers={**eigen, "If-Match": f'"{versie}"'},
                        json={"naar": naar, "besluitdatum": f"201{versie}-01-01"},
                    )
                    assert response.status_code == 201
        deadline = time.monotonic() + 60
        while True:
            koplopers = kennis.get("/v1/koplopers", headers=UP).json()
            # Events arrive partition by partition; wait until all 8 sites count.
            if koplopers and "landelijk 50%" in koplopers[0]["redenen"][0]:
                break
            assert time.monotonic() < deadline, "no koploper appeared"
            time.sleep(0.3)
    assert [k["organisatie"] for k in koplopers] == ["ZL"]
    assert "100% van 4 spoedlocaties" in koplopers[0]["redenen"][0]
    assert "landelijk 50%" in koplopers[0]["redenen"][0]
