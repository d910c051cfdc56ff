"""Kafka plumbing: topics, publishing with reconciliation, idempotent consumers."""
