"""Alembic environment shared by all services; see shared.db.migrations for how it is driven."""

from __future__ import annotations

from alembic import context

from shared.db.migrations import ONLINE

config = context.config
connection = config.attributes["connection"]
# A connection handed in outside a transaction (``migrations.upgrade`` on PostgreSQL): one
# transaction per revision, and index builds online. One inside a transaction: all in that one.
config.attributes[ONLINE] = (
    connection.dialect.name == "postgresql" and not connection.in_transaction()
)
context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
