"""`make run` (deploy/run.py) runs the locaties outbox relay as a process of its own: the API
gets BODEMREGIE_RELAY_ENABLED=false and a relay child runs the relay module, with the same
database and Kafka login (the settings parse as the service's own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


class _Relay:
    def __init__(self) -> None:
        self.kwargs: dict[str, Any] = {}

    def run(self, _stop: Any, _leadership: Any, **kwargs: Any) -> None:
        self.kwargs = kwargs


def test_the_relay_process_gathers_its_rounds_as_the_settings_say(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``BODEMREGIE_RELAY_COALESCE_S`` and ``_MAX`` reach the relay process's loop (how long a
    round gathers commits: the round size, which is what the broker's CPU per record follows)."""
    from services.locaties.entrypoints import relay as proces

    relay = _Relay()
    monkeypatch.setenv("BODEMREGIE_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("BODEMREGIE_KAFKA_ENABLED", "false")
    monkeypatch.setenv("BODEMREGIE_RELAY_COALESCE_S", "0.03")
    monkeypatch.setenv("BODEMREGIE_RELAY_COALESCE_MAX", "7")
    monkeypatch.setattr(proces, "migrate", lambda _engine: None)
    monkeypatch.setattr(proces, "outbox_relay", lambda *_args: relay)
    monkeypatch.setattr(proces, "leadership_for", lambda *_args, **_kw: None)
    monkeypatch.setattr(proces.signal, "signal", lambda *_args: None)
    monkeypatch.setattr(proces.gc_tuning, "after_warm_up", lambda: None)
    proces.main([])
    assert relay.kwargs == {"coalesce_s": 0.03, "coalesce_max": 7}
