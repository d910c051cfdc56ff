"""The three-broker cluster of deploy/kafka/cluster.sh, driven from Python: start, stop, SIGKILL
one node, start it again, and ask which node leads a partition."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from kafka.admin import KafkaAdminClient

from services.locaties.config import LocatiesSettings
from shared.messaging.kafka_client import CREDENTIALS_DIR, KafkaAccess, from_credentials_file

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "kafka" / "cluster.sh"
NODES = (1, 2, 3)


class Cluster:
    """A handle on the cluster; ``credentials`` is the directory of the principals' logins."""

    def __init__(self, credentials: Path = CREDENTIALS_DIR, base_port: int = 19192) -> None:
        self.credentials = credentials
        self.env = {
            **os.environ,
            "KAFKA_CREDENTIALS": str(credentials),
            "KAFKA_CLUSTER_PORT": str(base_port),
        }
        self.bootstrap = ",".join(f"localhost:{base_port + n - 1}" for n in NODES)

    def _run(self, *args: str) -> None:
        subprocess.run([str(SCRIPT), *args], env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("start")

    def stop(self) -> None:
        self._run("stop")

    def kill(self, node: int) -> None:
        """SIGKILL: no controlled shutdown, no leadership handed over, no flush."""
        self._run("kill", str(node))

    def start_node(self, node: int) -> None:
        self._run("start-node", str(node))

    def access(self, principal: str = "admin") -> KafkaAccess:
        return from_credentials_file(self.bootstrap, self.credentials / f"{principal}.json")

    def leaders(self, topic: str) -> dict[int, int]:
        """``{partition: leader node}`` as the cluster's metadata says now."""
        admin = KafkaAdminClient(**self.access().client_options(), request_timeout_ms=10_000)
        try:
            (description,) = admin.describe_topics([topic])
            return {p["partition_index"]: p["leader_id"] for p in description["partitions"]}
        finally:
            admin.close()

    def in_sync(self, topic: str, replicas: int = 3, timeout_s: float = 120.0) -> bool:
        """Wait until every partition has all ``replicas`` in sync again (after a restart)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            admin = KafkaAdminClient(**self.access().client_options(), request_timeout_ms=10_000)
            try:
                (description,) = admin.describe_topics([topic])
            finally:
                admin.close()
            if all(len(p["isr_nodes"]) >= replicas for p in description["partitions"]):
                return True
            time.sleep(1)
        return False


# The development secret of every service a scenario starts (its tokens are minted with it).
SECRET = "chaos-secret-" + "x" * 32


def locaties_settings(cluster: Cluster, database_url: str, topic: str) -> LocatiesSettings:
    """A locaties service on the cluster (as admin, on a topic of its own), without rate limits
    (the scenarios' clients are few and fast) and with plain logs; its outbox relay runs as a
    child process of its own (``relay_process``), as in a deployment, not in its threads."""
    return LocatiesSettings(
        database_url=database_url,
        jwt_secret=SECRET,
        kafka_bootstrap=cluster.bootstrap,
        kafka_credentials_file=str(cluster.credentials / "admin.json"),
        spoedlocaties_topic=topic,
        rate_limit_per_minute=0,
        log_json=False,
        relay_process=True,
    )
