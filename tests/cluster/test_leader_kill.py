"""SIGKILL the broker leading most partitions while commands are accepted, then start it again:
every acknowledged command is on the topic exactly once, in order per stream, and the topic holds
what the event store holds."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from chaos.broker import leader_killed
from chaos.cluster import Cluster
from shared.db.engine import make_session_factory

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_leader_killed_loses_and_doubles_nothing(cluster: Cluster, pg_engine: Engine) -> None:
    uitkomst = leader_killed(cluster, make_session_factory(pg_engine), commands=1500, threads=3)
    t = uitkomst.telling
    assert t.acknowledged == 1500
    assert (t.lost, t.doubled, t.order_kept) == (0, 0, True)
    assert t.on_kafka == 1500
    assert uitkomst.digests_equal
