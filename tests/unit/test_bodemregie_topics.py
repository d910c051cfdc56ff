"""``bodemregie topics`` logs in as the Kafka admin, not as the service whose environment it
runs in (BODEMREGIE_KAFKA_CREDENTIALS_FILE is a service's login, refused by the ACLs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bodemregie import cli
from shared.messaging.acls import ADMIN
from shared.messaging.kafka_client import KafkaAccess, credentials_file


@pytest.fixture
def ingelogd(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The credentials file each run logged in with; no broker is reached."""
    paden: list[str] = []

    def inloggen(bootstrap: str, path: Path | str) -> KafkaAccess:
        paden.append(str(path))
        return KafkaAccess(bootstrap)

    monkeypatch.setattr(cli, "from_credentials_file", inloggen)
    monkeypatch.setattr(cli, "ensure_topics", lambda kafka, **_: None)
    monkeypatch.setattr(cli, "ensure_acls", lambda kafka, grants: None)
    monkeypatch.setenv("BODEMREGIE_KAFKA_CREDENTIALS_FILE", "/run/secrets/rapportage.json")
    return paden


def test_the_admin_file_is_the_default_even_in_a_services_environment(
    ingelogd: list[str],
) -> None:
    assert cli.main(["topics"]) == 0
    assert ingelogd == [str(credentials_file(ADMIN))]


@pytest.mark.parametrize("vlag", ["--kafka-inlog", "--credentials"])
def test_an_explicit_file_overrides(ingelogd: list[str], vlag: str) -> None:
    assert cli.main(["topics", vlag, "/elders/admin.json"]) == 0
    assert ingelogd == ["/elders/admin.json"]
