"""PostgreSQL (a private one, never the shared :5433) stopped with a fast shutdown and started
again while clients register sites over HTTP: never a 500, 503s with Retry-After while it is
away, /v1/ready says so, and every acknowledged registration is on Kafka exactly once."""

from __future__ import annotations

import pytest

from chaos.cluster import Cluster
from chaos.postgres import PrivatePostgres, postgres_restarted

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_postgres_restart_answers_503_never_500_and_loses_nothing(
    cluster: Cluster, private_pg: PrivatePostgres
) -> None:
    u = postgres_restarted(cluster, private_pg, clients=3, before_s=2, down_s=3, after_s=3)
    t = u.telling
    assert u.answered_500 == 0, u.note
    assert (u.answered_503 or 0) > 0, u.note
    assert t.acknowledged > 0
    assert (t.lost, t.doubled, t.order_kept) == (0, 0, True)
    assert u.digests_equal
    assert "after: 200" in u.note
    assert "503" in u.note.split("after")[0]  # /v1/ready said 503 while the database was away


def test_postgres_crash_loses_and_doubles_nothing(
    cluster: Cluster, private_pg: PrivatePostgres
) -> None:
    """An immediate shutdown, as a crash: the relay's asynchronous rounds not yet flushed are
    lost (``shared.outbox.OutboxRelay._commit``); their seals are made again and nothing they
    published is sent twice."""
    u = postgres_restarted(
        cluster, private_pg, clients=3, before_s=2, down_s=3, after_s=3, crash=True
    )
    t = u.telling
    assert u.answered_500 == 0, u.note
    assert t.acknowledged > 0
    assert (t.lost, t.doubled, t.order_kept) == (0, 0, True)
    assert u.digests_equal
    assert "after: 200" in u.note
