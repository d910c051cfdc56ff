"""`make run`: Kafka plus every service on its embedded SQLite database, in the foreground.

The locaties outbox relay runs as a process of its own beside the API (which then runs none),
started once the API has migrated its database; on SQLite it leads through a file lock and
watches the position counter (``shared.leadership.PollingLeadership``).

Prints the URLs and a development token; Ctrl-C stops everything it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared import ankersleutels
from shared.auth import Rol, mint_dev_token
from shared.messaging.acls import ADMIN, ensure_acls, grants
from shared.messaging.kafka_client import credentials_file, from_credentials_file
from shared.messaging.topics import ensure_topics
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parent.parent
KAFKA = ROOT / "deploy" / "kafka" / "kafka.sh"
ANKERSLEUTELS = ROOT / "var" / "ankersleutels"


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    app: str
    # A module whose ``python -m`` runs the service's outbox relay as a process of its own.
    relay: str | None = None


# Services register here as they are built; each is an ASGI app factory.
SERVICES: list[Service] = [
    Service(
        "locaties",
        8001,
        "services.locaties.entrypoints.app:create_app",
        relay="services.locaties.entrypoints.relay",
    ),
    Service("rapportage", 8002, "services.rapportage.entrypoints.app:create_app"),
    Service("kennis", 8003, "services.kennis.entrypoints.app:create_app"),
]


def service_env(service: Service) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        # Each service logs in to Kafka as its own principal (ACLs per service).
        "BODEMREGIE_KAFKA_CREDENTIALS_FILE": str(credentials_file(service.name)),
    }
    if service.relay:
        # The relay runs as a process of its own (relay_command), not in the API's process.
        env["BODEMREGIE_RELAY_ENABLED"] = "false"
    return env


def relay_command(service: Service) -> list[str]:
    assert service.relay is not None
    return [sys.executable, "-m", service.relay]


def _wait_ready(url: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def _fresh_start(started_kafka: bool) -> None:
    """Keep the development log and databases consistent. Without the locaties database the
    events on the broker belong to a store that no longer exists, and rapportage would refuse
    the new store's events; so a fresh registry starts with a fresh broker and read models."""
    data = ROOT / "var" / "data"
    broker_data = ROOT / "var" / os.environ.get("KAFKA_NAME", "kafka") / "data"
    if started_kafka and subprocess.run([str(KAFKA), "secured"]).returncode != 0:
        _set_aside_for_scram(data)
        return
    if (data / "locaties.sqlite").exists() or not broker_data.exists():
        return
    if not started_kafka:
        print(
            "let op: var/data/locaties.sqlite ontbreekt maar Kafka draait al met oude "
            "gebeurtenissen; stop Kafka (deploy/kafka/kafka.sh stop) voor een schone start"
        )
        return
    print("nieuw register: de Kafka-data en de rapportage-database van de vorige keer gaan weg")
    shutil.rmtree(broker_data)
    for path in data.glob("rapportage.sqlite*"):
        path.unlink()


def _ankersleutels(env: MutableMapping[str, str]) -> str:
    """Signed anchors by default: a development key pair under var/ankersleutels (made on the
    first start, 0600, never committed: var/ is ignored), unless the environment names a key.
    Keys retired with ``bodemregie audit sleutel --uit var/ankersleutels --roteer`` stay in
    oud/ and are served too, so anchors signed before a rotation stay verifiable."""
    if env.get("BODEMREGIE_ANKER_SLEUTEL"):
        return env["BODEMREGIE_ANKER_SLEUTEL"]
    prive = ankersleutels.ontwikkelsleutel(ANKERSLEUTELS)
    env["BODEMREGIE_ANKER_SLEUTEL"] = str(prive)
    if (ANKERSLEUTELS / ankersleutels.OUD).is_dir():
        env.setdefault("BODEMREGIE_ANKER_OUDE_SLEUTELS", str(ANKERSLEUTELS / ankersleutels.OUD))
    return str(prive)


def _set_aside_for_scram(data: Path) -> None:
    """The broker's storage dates from before SCRAM logins (or other credentials): kafka.sh
    moves it aside and formats anew, because no user exists to log in with. The databases
    belong to that old log (their outboxes count it as published, the read models hold its
    offsets), so they move aside too, and the registry starts empty (`make demo` fills it)."""
    files = sorted(data.glob("*.sqlite*"))
    if not files:
        return
    aside = ROOT / "var" / f"data.without-scram.{time.strftime('%Y%m%d%H%M%S')}"
    aside.mkdir(parents=True)
    for path in files:
        path.rename(aside / path.name)
    print(
        "Kafka vraagt nu om een login (SASL/SCRAM): de broker begint leeg, en de databases van "
        f"het oude log staan apart in {aside.relative_to(ROOT)}; `make demo` vult een nieuw "
        "register"
    )


def main() -> int:
    settings = ServiceSettings()
    ankersleutel = _ankersleutels(os.environ)  # the services inherit it
    started_kafka = subprocess.run([str(KAFKA), "status"]).returncode != 0
    _fresh_start(started_kafka)
    subprocess.run([str(KAFKA), "start"], check=True)
    admin = from_credentials_file(settings.kafka_bootstrap, credentials_file(ADMIN))
    ensure_topics(admin)
    ensure_acls(admin, grants())
    children: list[subprocess.Popen[bytes]] = []

    def shutdown(*_: object) -> None:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        if started_kafka:
            subprocess.run([str(KAFKA), "stop"])
        sys.exit(0)

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)
    for service in SERVICES:
        env = service_env(service)
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    service.app,
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(service.port),
                    "--log-level",
                    "warning",
                    # uvicorn[standard]: the event loop and HTTP parser in C.
                    "--loop",
                    "uvloop",
                    "--http",
                    "httptools",
                ],
                cwd=ROOT,
                env=env,
            )
        )
    print("\nBodemregie draait:")
    print(f"  kafka        {settings.kafka_bootstrap}  (SASL/SCRAM, var/kafka-credentials)")
    for service in SERVICES:
        base = f"http://127.0.0.1:{service.port}/v1"
        ready = _wait_ready(f"{base}/ready")
        state = "klaar" if ready else "NIET KLAAR (zie log)"
        print(f"  {service.name:<12} {base}  (docs: {base}/docs, {state})")
        if service.relay:
            # After the API's ready: it migrated the database, so the relay's own migration
            # (which SQLite cannot serialise between processes) finds nothing to do.
            children.append(
                subprocess.Popen(relay_command(service), cwd=ROOT, env=service_env(service))
            )
            print(f"  {service.name + '-relay':<12} eigen proces (pid {children[-1].pid})")
    print(f"\nAnkers ondertekend met {ankersleutel}; publieke sleutels: /v1/ankersleutels")
    programma = mint_dev_token(
        settings.jwt_secret, "ontwikkelaar@bodemregie.local", Rol.UITVOERINGSPROGRAMMA
    )
    zuid_holland = mint_dev_token(
        settings.jwt_secret, "ambtenaar@zh.bodemregie.local", Rol.BEVOEGD_GEZAG, "ZH"
    )
    print("\nOntwikkeltokens (8 uur geldig; wie wat mag: README, 'Who may do what'):")
    print(f"  uitvoeringsprogramma (leest alles, voert kennis): {programma}")
    print(f"  bevoegd-gezag ZH (schrijft de locaties van ZH):   {zuid_holland}")
    print("Meer tokens: .venv/bin/bodemregie token --rol bevoegd-gezag --organisatie ZH")
    print("Kafka-leesrechten voor een auditor: .venv/bin/bodemregie kafka-credentials auditor")
    print("Ctrl-C stopt alles.\n")
    while True:
        for child in children:
            if child.poll() is not None:
                print(f"een service stopte met code {child.returncode}; alles stopt", flush=True)
                shutdown()
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
