"""Kafka logins: client options, where a service finds its credentials, the ACL policy."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from services.kennis.bootstrap import voortgang_processor
from services.kennis.config import KennisSettings
from services.rapportage.config import RapportageSettings
from shared.messaging.acls import (
    AUDITOR,
    KENNIS_PRINCIPAL,
    LOCATIES,
    PRINCIPALS,
    RAPPORTAGE,
    Names,
    Operation,
    Resource,
    grants,
)
from shared.messaging.consumer import ListDeadLetterSink
from shared.messaging.kafka_client import (
    KafkaAccess,
    KafkaCredentialsError,
    from_credentials_file,
)
from shared.messaging.topics import DEADLETTER, KENNIS, PUBLICATIES, SPOEDLOCATIES
from shared.settings import Mode, ServiceSettings
from tests.support.infra import ROOT


def _credentials(path: Path, name: str = "locaties", password: str = "geheim") -> Path:
    path.write_text(json.dumps({"username": name, "password": password}), encoding="utf-8")
    return path


def test_an_authenticated_client_logs_in_with_scram() -> None:
    options = KafkaAccess("broker:9092", "locaties", "geheim").client_options()
    assert options == {
        "bootstrap_servers": "broker:9092",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "locaties",
        "sasl_plain_password": "geheim",
    }


def test_without_credentials_the_client_is_anonymous() -> None:
    assert KafkaAccess("broker:9092").client_options() == {"bootstrap_servers": "broker:9092"}


def test_the_password_stays_out_of_reprs() -> None:
    assert "geheim" not in repr(KafkaAccess("b:1", "locaties", "geheim"))
    assert "geheim" not in repr(ServiceSettings(kafka_username="x", kafka_password="geheim"))


def test_a_missing_credentials_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(KafkaCredentialsError, match=r"kafka\.sh start"):
        from_credentials_file("b:1", tmp_path / "weg.json")
    (tmp_path / "kapot.json").write_text("{", encoding="utf-8")
    with pytest.raises(KafkaCredentialsError, match="unreadable"):
        from_credentials_file("b:1", tmp_path / "kapot.json")


def test_settings_prefer_the_credentials_file_then_username(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BODEMREGIE_KAFKA_CREDENTIALS_FILE", raising=False)
    bestand = _credentials(tmp_path / "c.json", "uit-bestand")
    both = ServiceSettings(kafka_credentials_file=str(bestand), kafka_username="uit-env")
    assert both.kafka_access().username == "uit-bestand"
    env = ServiceSettings(kafka_username="uit-env", kafka_password="pw")
    assert (env.kafka_access().username, env.kafka_access().password) == ("uit-env", "pw")


def test_a_development_service_finds_its_own_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BODEMREGIE_KAFKA_CREDENTIALS_FILE", raising=False)
    monkeypatch.setattr("shared.settings.credentials_file", lambda name: tmp_path / f"{name}.json")
    assert not RapportageSettings().kafka_access().authenticated
    _credentials(tmp_path / "rapportage.json", "rapportage")
    assert RapportageSettings().kafka_access().username == "rapportage"


def test_production_refuses_to_talk_to_kafka_anonymously(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BODEMREGIE_KAFKA_CREDENTIALS_FILE", raising=False)
    settings = RapportageSettings(
        mode=Mode.PRODUCTION, jwks_file="/dev/null", jwt_issuer="i", jwt_audience="a"
    )
    with pytest.raises(ValueError, match="BODEMREGIE_KAFKA_CREDENTIALS_FILE"):
        settings.kafka_access()


def _writers(topic: str) -> set[str]:
    return {
        g.principal
        for g in grants()
        if g.operation is Operation.WRITE and g.resource is Resource.TOPIC and g.name == topic
    }


def test_only_locaties_writes_spoedlocaties_and_only_kennis_writes_kennis() -> None:
    assert _writers(SPOEDLOCATIES) == {LOCATIES}
    assert _writers(KENNIS) == {KENNIS_PRINCIPAL}
    assert _writers(DEADLETTER) == {KENNIS_PRINCIPAL, RAPPORTAGE}
    assert _writers(PUBLICATIES) == {RAPPORTAGE}
    assert RapportageSettings().publicaties_topic == PUBLICATIES


def test_the_auditor_only_reads_the_event_topics() -> None:
    assert {(g.operation, g.name) for g in grants() if g.principal == AUDITOR} == {
        (Operation.READ, SPOEDLOCATIES),
        (Operation.READ, KENNIS),
        (Operation.READ, PUBLICATIES),
    }


def test_admin_needs_no_grant_and_every_other_principal_has_some() -> None:
    assert {g.principal for g in grants()} == set(PRINCIPALS) - {"admin"}


def test_the_granted_consumer_groups_are_the_ones_the_services_use() -> None:
    """A renamed group would make the service's consumer fail with GroupAuthorizationFailed."""
    groups = {(g.principal, g.name) for g in grants() if g.resource is Resource.GROUP}
    rapportage = RapportageSettings().consumer_group
    kennis = voortgang_processor(KennisSettings(), None, ListDeadLetterSink()).name  # type: ignore[arg-type]
    assert groups == {
        (RAPPORTAGE, rapportage),
        (RAPPORTAGE, f"{rapportage}-kennis"),
        (KENNIS_PRINCIPAL, kennis),
    }
    assert (Names().rapportage_group, Names().kennis_group) == (rapportage, kennis)


def _secured(var: Path, creds: Path) -> int:
    env = {**os.environ, "KAFKA_VAR": str(var), "KAFKA_CREDENTIALS": str(creds)}
    script = ROOT / "deploy" / "kafka" / "kafka.sh"
    return subprocess.run([str(script), "secured"], env=env).returncode


def test_storage_formatted_without_the_current_scram_users_is_not_secured(tmp_path: Path) -> None:
    var, creds = tmp_path / "kafka", tmp_path / "creds"
    (var / "data").mkdir(parents=True)
    creds.mkdir()
    assert _secured(var, creds) == 0  # nothing formatted yet
    (var / "data" / "meta.properties").write_text("node.id=1\n")
    assert _secured(var, creds) == 1  # formatted before SCRAM: no marker
    for name in PRINCIPALS:
        _credentials(creds / f"{name}.json", name)
    fingerprint = subprocess.run(
        f"for n in {' '.join(PRINCIPALS)}; do cat {creds}/$n.json; done | sha256sum",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    (var / "scram-users.sha256").write_text(fingerprint + "\n")
    assert _secured(var, creds) == 0
    _credentials(creds / "auditor.json", "auditor", "nieuw")  # other passwords than formatted
    assert _secured(var, creds) == 1


def test_kafka_credentials_hands_out_a_principals_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bodemregie.cli import main

    monkeypatch.setattr("bodemregie.cli.credentials_file", lambda name: tmp_path / f"{name}.json")
    assert main(["kafka-credentials", "auditor"]) == 2  # no broker started yet
    _credentials(tmp_path / "auditor.json", "auditor", "lezen")
    assert main(["kafka-credentials", "auditor"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["password"] == "lezen"
    with pytest.raises(SystemExit):
        main(["kafka-credentials", "admin"])  # the super user is not handed out
