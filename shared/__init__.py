"""Bodemregie's shared core: event store, outbox, envelope, idempotent consumer, HTTP and auth."""
