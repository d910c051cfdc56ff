"""The three-broker cluster (deploy/kafka/cluster.sh), started once for these tests and stopped
after them; its ports (19192-19194, controllers 19292-19294) are its own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from chaos.cluster import Cluster
from chaos.postgres import PrivatePostgres
from tests.support.infra import KAFKA_CREDENTIALS


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    c = Cluster(KAFKA_CREDENTIALS)
    c.start()
    try:
        yield c
    finally:
        # Kept running only when asked (iterating on these tests); CI always stops it.
        if not os.environ.get("BODEMREGIE_TEST_CLUSTER_KEEP"):
            c.stop()


@pytest.fixture(scope="session")
def private_pg() -> Iterator[PrivatePostgres]:
    """A PostgreSQL of these tests' own (port 15433, var/postgres-chaos): they restart it."""
    pg = PrivatePostgres()
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()
