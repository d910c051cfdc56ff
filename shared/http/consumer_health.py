"""Readiness and metrics of a service that consumes Kafka (kennis, rapportage): the same checks
and samples for every consumer group, so each service only names its consumers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from shared.http.app import ReadinessCheck
from shared.http.health import broker_check, lag_check
from shared.http.metrics import Samples, dead_letter_meetwaarden, lag_meetwaarden
from shared.messaging.consumer import KafkaProjectionConsumer


def _lags(consumers: Sequence[KafkaProjectionConsumer]) -> list[tuple[str, int | None]]:
    return [(c.processor.name, c.lag) for c in consumers]


def consumer_checks(
    bootstrap: str, max_lag: int, consumers: Sequence[KafkaProjectionConsumer]
) -> dict[str, ReadinessCheck]:
    """Not ready while no broker answers or a consumer group lags beyond ``max_lag``."""
    return {
        "kafka": broker_check(bootstrap),
        "achterstand": lag_check(lambda: _lags(consumers), max_lag),
    }


def consumer_samples(
    sessions: sessionmaker[Session], consumers: Sequence[KafkaProjectionConsumer]
) -> dict[str, Samples]:
    """For /metrics: dead letters and the lag per consumer group."""
    return {
        "bodemregie_dead_letters": dead_letter_meetwaarden(sessions),
        "bodemregie_consumer_lag": lag_meetwaarden(_lags(consumers)),
    }
