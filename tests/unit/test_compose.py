"""deploy/docker-compose.yml and its cluster override, checked as far as this machine can without
a Docker engine: the override merged as Compose merges it, every dependency names a service that
runs, the three nodes are the ones cluster.sh expects, and every client gets cluster.sh's own
bootstrap list."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BASE = DEPLOY / "docker-compose.yml"
CLUSTER = DEPLOY / "docker-compose.cluster.yml"
CLUSTER_SH = DEPLOY / "kafka" / "cluster.sh"
NODES = {"kafka1": 1, "kafka2": 2, "kafka3": 3}
# cluster.sh's default client port of node 1 (KAFKA_CLUSTER_PORT), used inside the containers.
FIRST_PORT = 19192


class _Override:
    """Compose's `!override` tag: this value replaces the base file's instead of merging."""

    def __init__(self, value: Any) -> None:
        self.value = value


class _Loader(yaml.SafeLoader):
    pass


def _override(loader: yaml.SafeLoader, node: yaml.Node) -> _Override:
    if isinstance(node, yaml.MappingNode):
        return _Override(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return _Override(loader.construct_sequence(node, deep=True))
    return _Override(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("!override", _override)


def load(path: Path) -> dict[str, Any]:
    document = yaml.load(path.read_text(), Loader=_Loader)  # _Loader is a SafeLoader
    assert isinstance(document, dict)
    return document


def merge(base: Any, override: Any) -> Any:
    """Compose's merge for what these files use: mappings by key, `!override` replaces, any other
    value (command, entrypoint, a scalar) replaces."""
    if isinstance(override, _Override):
        return override.value
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base.get(key), value) if key in base else _plain(value)
        return merged
    return _plain(override)


def _plain(value: Any) -> Any:
    if isinstance(value, _Override):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def running(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services `docker compose up` starts: those without a profile."""
    return {n: s for n, s in document["services"].items() if not s.get("profiles")}


def check_dependencies(services: dict[str, dict[str, Any]]) -> None:
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        for dependency, how in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on {dependency}, which does not run"
            assert how["condition"] in conditions, (name, dependency, how)
            if how["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], (name, dependency)


def cluster_sh_bootstrap(hosts: str) -> str:
    """The bootstrap list cluster.sh itself prints for these hosts (no Java, nothing written)."""
    env = {**os.environ, "KAFKA_CLUSTER_HOSTS": hosts}
    env.pop("KAFKA_CLUSTER_PORT", None)
    done = subprocess.run(
        ["bash", str(CLUSTER_SH), "bootstrap"], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def cluster() -> dict[str, dict[str, Any]]:
    return running(merge(load(BASE), load(CLUSTER)))


def test_the_single_broker_file_stays_consistent() -> None:
    services = running(load(BASE))
    check_dependencies(services)
    assert services["topics"]["environment"]["BODEMREGIE_KAFKA_BOOTSTRAP"] == "kafka:9092"


def test_the_locaties_relay_is_a_service_of_its_own_and_the_api_runs_none() -> None:
    services = running(load(BASE))
    api, relay = services["locaties"], services["locaties-relay"]
    assert relay["command"] == ["python", "-m", "services.locaties.entrypoints.relay"]
    assert "--relay" not in api["command"]
    assert api["environment"]["BODEMREGIE_RELAY_ENABLED"] == "false"
    # The same database and Kafka login as the API whose outbox it relays.
    for key in ("BODEMREGIE_DATABASE_URL", "BODEMREGIE_KAFKA_CREDENTIALS_FILE"):
        assert relay["environment"][key] == api["environment"][key], key
    assert set(relay["depends_on"]) == {"postgres", "topics"}


def test_every_dependency_of_the_cluster_runs(cluster: dict[str, dict[str, Any]]) -> None:
    check_dependencies(cluster)
    assert "kafka" not in cluster, "the single broker must not start beside the cluster"


def test_the_nodes_are_cluster_sh_nodes_after_one_prepare(
    cluster: dict[str, dict[str, Any]],
) -> None:
    init = cluster["kafka-init"]
    assert init["entrypoint"][-2:] == ["/bodemregie/deploy/kafka/cluster.sh", "prepare"]
    assert not init.get("depends_on")
    nodes = {n: s for n, s in cluster.items() if "fg" in (s.get("entrypoint") or [])}
    assert set(nodes) == set(NODES)
    for name, node in nodes.items():
        number = NODES[name]
        assert node["entrypoint"][-3:] == [init["entrypoint"][-2], "fg", str(number)]
        assert node["depends_on"] == {"kafka-init": {"condition": "service_completed_successfully"}}
        # The same storage, logins and host names as the init job prepared.
        assert node["environment"] == init["environment"]
        assert node["volumes"] == init["volumes"]
        assert node["environment"]["KAFKA_CLUSTER_HOSTS"].split() == list(NODES)
        assert node["environment"]["KAFKA_LISTEN_HOST"] == ""
        port = FIRST_PORT + number - 1
        assert node["healthcheck"]["test"][-1] == f"exec 3<>/dev/tcp/127.0.0.1/{port}"


def test_every_client_gets_the_three_nodes(cluster: dict[str, dict[str, Any]]) -> None:
    expected = cluster_sh_bootstrap(" ".join(NODES))
    assert expected == "kafka1:19192,kafka2:19193,kafka3:19194"
    clients = {
        n: s for n, s in cluster.items() if "BODEMREGIE_KAFKA_BOOTSTRAP" in s.get("environment", {})
    }
    assert set(clients) == {"topics", "locaties", "locaties-relay", "rapportage", "kennis"}
    for name, service in clients.items():
        assert service["environment"]["BODEMREGIE_KAFKA_BOOTSTRAP"] == expected, name
    topics = cluster["topics"]
    assert topics["command"][topics["command"].index("--replicas") + 1] == "3"
    assert set(topics["depends_on"]) == set(NODES)
    for name in ("locaties", "locaties-relay", "rapportage", "kennis"):
        assert (
            cluster[name]["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        )


def test_the_services_read_the_logins_the_nodes_wrote(cluster: dict[str, dict[str, Any]]) -> None:
    node = cluster["kafka1"]
    volume, mount = next(
        v.split(":")[:2] for v in node["volumes"] if v.split(":")[1] == "/var/lib/bodemregie-kafka"
    )
    written = Path(node["environment"]["KAFKA_CREDENTIALS"]).relative_to(mount)
    for name in ("topics", "locaties", "locaties-relay", "rapportage", "kennis"):
        service = cluster[name]
        client_volume, client_mount = service["volumes"][0].split(":")[:2]
        assert client_volume == volume, name
        login = service.get("environment", {}).get("BODEMREGIE_KAFKA_CREDENTIALS_FILE")
        if login is None:  # topics passes the admin's login as an argument
            login = service["command"][service["command"].index("--kafka-inlog") + 1]
        assert Path(login).parent == Path(client_mount) / written, name


def test_cluster_sh_refuses_a_wrong_number_of_hosts() -> None:
    with pytest.raises(subprocess.CalledProcessError):
        cluster_sh_bootstrap("kafka1 kafka2")
