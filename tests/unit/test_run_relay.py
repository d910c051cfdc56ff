"""`make run` (deploy/run.py) runs the locaties outbox relay as a process of its own: the API
gets BODEMREGIE_RELAY_ENABLED=false and a relay child runs the relay module, with the same
database and Kafka login (the settings parse as the service's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.run import SERVICES, relay_command, service_env
from services.locaties.config import LocatiesSettings


def test_make_run_starts_the_locaties_relay_apart_and_the_api_runs_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (locaties,) = [s for s in SERVICES if s.name == "locaties"]
    assert relay_command(locaties)[1:] == ["-m", "services.locaties.entrypoints.relay"]
    env = service_env(locaties)
    assert Path(env["BODEMREGIE_KAFKA_CREDENTIALS_FILE"]).name == "locaties.json"
    for key, value in env.items():
        if key.startswith("BODEMREGIE_"):
            monkeypatch.setenv(key, value)
    settings = LocatiesSettings()
    assert settings.relay_enabled is False
