"""Two rapportage instances in one consumer group on one database; one SIGKILLed mid-batch
once here (five times in make chaos, which fits no CI budget: each kill waits out the group's
10 s session timeout): the report digest equals that of one undisturbed instance over the same
log, and every event is a fact exactly once."""

from __future__ import annotations

import pytest

from chaos.cluster import Cluster
from chaos.consumers import instances_killed
from chaos.postgres import PrivatePostgres

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_rapportage_instance_killed_mid_batch_builds_the_same_read_model(
    cluster: Cluster, private_pg: PrivatePostgres
) -> None:
    (u,) = instances_killed(cluster, private_pg.database, ("rapportage",), schaal=0.02, kills=1)
    assert "1 times" in u.scenario
    t = u.telling
    assert (t.lost, t.doubled, t.order_kept) == (0, 0, True)
    assert t.on_kafka == t.acknowledged > 100
    assert u.digests_equal
