"""The HTTP path: status changes per second through the locaties API on PostgreSQL, and the
latency from sending the command to its event arriving on Kafka (p50/p99).

Starts the real service (uvicorn, relay on) against a fresh PostgreSQL database and the Kafka
broker on localhost:9092, registers sites (not timed), then drives each through the lifecycle
from ``--clients`` threads while a consumer timestamps the arriving events.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from kafka import KafkaConsumer, TopicPartition

from shared.auth import Rol, mint_dev_token
from shared.envelope import CloudEvent
from shared.messaging.acls import ADMIN
from shared.messaging.kafka_client import credentials_file
from shared.messaging.topics import TopicSpec, ensure_topics
from tests.support.infra import (
    KAFKA_BOOTSTRAP,
    KAFKA_CREDENTIALS,
    ROOT,
    kafka_as,
    postgres_database,
)

SECRET = "bench-secret-" + "y" * 32
PORT = 18001
KETEN = ["onderzocht", "ernstig-spoed", "saneringsplan", "sanering-gestart", "gesaneerd", "nazorg"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(sites: int, clients: int, workers: int = 1) -> dict[str, Any]:
    # Its own topic, so the benchmark never mixes its events into a development log.
    topic = f"bench.{uuid.uuid4().hex[:10]}"
    ensure_topics(kafka_as(), (TopicSpec(topic, 6),))
    from services.locaties.bootstrap import VERSIONS

    with postgres_database([VERSIONS]) as engine:
        env = {
            **os.environ,
            "BODEMREGIE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "BODEMREGIE_JWT_SECRET": SECRET,
            "BODEMREGIE_KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
            # Its own topic has no service ACLs: the benchmark's relay logs in as admin.
            "BODEMREGIE_KAFKA_CREDENTIALS_FILE": str(credentials_file(ADMIN, KAFKA_CREDENTIALS)),
            "BODEMREGIE_SPOEDLOCATIES_TOPIC": topic,
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "services.locaties.entrypoints.app:create_app",
                "--factory",
                "--port",
                str(PORT),
                "--log-level",
                "warning",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            return {"workers": workers, **_drive(sites, clients, topic)}
        finally:
            server.terminate()
            server.wait(30)


def _drive(sites: int, clients: int, topic: str) -> dict[str, Any]:
    base = f"http://127.0.0.1:{PORT}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/v1/ready").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("service did not start")
        time.sleep(0.3)
    # The sites are Zuid-Holland's, and only a site's own bevoegd gezag writes it; each client
    # is its own official with its own token, as real clients are (the rate limit is per token).
    tokens = [
        {
            "Authorization": "Bearer "
            + mint_dev_token(SECRET, f"bench{n}@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
        }
        for n in range(clients)
    ]
    headers = tokens[0]
    body = {
        "bevoegdGezag": "ZH",
        "gemeentecode": "0513",
        "naam": "bench",
        "registratiedatum": "2010-01-04",
    }
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        ids = [
            client.post("/v1/spoedlocaties", json=body).json()["locatieId"] for _ in range(sites)
        ]
        store = client.get(f"/v1/spoedlocaties/{ids[0]}/gebeurtenissen").json()["gebeurtenissen"][
            0
        ]["storeid"]

    consumer = KafkaConsumer(**kafka_as().client_options(), group_id=None)
    tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(tps)
    for tp, end in consumer.end_offsets(tps).items():
        consumer.seek(tp, end)
    sent: dict[tuple[str, int], float] = {}
    received: dict[tuple[str, int], float] = {}
    copies = 0
    expected = sites * len(KETEN)
    wanted = set(ids)
    stop = threading.Event()

    def consume() -> None:
        nonlocal copies
        while not stop.is_set() and len(received) < expected:
            for records in consumer.poll(timeout_ms=200).values():
                now = time.perf_counter()
                for r in records:
                    event = CloudEvent.from_json(r.value)
                    # Status changes only: not the registrations, not the log's anchors.
                    if (
                        event.extensions.get("storeid") == store
                        and event.sequence > 1
                        and (event.subject in wanted)
                    ):
                        sleutel = (event.subject, event.sequence)
                        copies += sleutel in received
                        received.setdefault(sleutel, now)

    reader = threading.Thread(target=consume)
    reader.start()

    def drive(nummer: int, locatie_id: str) -> None:
        eigen = tokens[nummer % clients]
        with httpx.Client(base_url=base, headers=eigen, timeout=60) as client:
            for version, naar in enumerate(KETEN, start=1):
                sent[(locatie_id, version + 1)] = time.perf_counter()
                response = client.post(
                    f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen",
                    json={"naar": naar, "besluitdatum": f"{2010 + version}-01-01"},
                    headers={"If-Match": f'"{version}"'},
                )
                response.raise_for_status()

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(drive, range(len(ids)), ids))
    elapsed = time.perf_counter() - start
    reader.join(120)
    stop.set()
    consumer.close()
    latencies = [(received[k] - sent[k]) * 1000 for k in sent if k in received]
    return {
        "sites": sites,
        "clients": clients,
        "status_changes": expected,
        "status_changes_per_s": expected / elapsed,
        "events_on_kafka": len(latencies),
        "copies_on_kafka": copies,
        "latency_ms_p50": statistics.median(latencies),
        "latency_ms_p99": _percentile(latencies, 0.99),
        "latency_ms_max": max(latencies),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    result = run(args.sites, args.clients, args.workers)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
