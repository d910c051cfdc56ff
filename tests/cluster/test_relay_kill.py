"""The relay's process SIGKILLed between publish and mark, three times (five in make chaos):
nothing lost, nothing doubled. With the publisher's reconciliation switched off the same
scenario doubles, so the counts do catch what the reconciliation prevents."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from chaos.cluster import Cluster
from chaos.relay import relay_killed

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_relay_killed_between_publish_and_mark_doubles_nothing(
    cluster: Cluster, pg_engine: Engine
) -> None:
    uitkomst = relay_killed(cluster, pg_engine, commands=600, kills=3)
    t = uitkomst.telling
    assert "3 times" in uitkomst.scenario
    assert (t.acknowledged, t.on_kafka, t.lost, t.doubled, t.order_kept) == (600, 600, 0, 0, True)
    assert uitkomst.digests_equal


def test_without_reconciliation_the_same_kills_double(cluster: Cluster, pg_engine: Engine) -> None:
    uitkomst = relay_killed(cluster, pg_engine, commands=300, kills=2, reconcile=False)
    t = uitkomst.telling
    assert t.lost == 0
    assert t.doubled > 0
    assert not t.exact
