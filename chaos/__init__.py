"""Faults with figures (issue #16): bounded scenarios that kill brokers, service instances,
PostgreSQL and the relay under load, and count what was acknowledged against what is on Kafka
and in the read models. ``python -m chaos`` (``make chaos``) runs them and prints the table
that goes to RELIABILITY.md; tests/cluster/ runs the ones that fit CI's time."""
