"""The shape most alembic revisions of the services share: create some tables on the way up,
drop them (in reverse) on the way down.

A revision declares its tables as they are at that revision, on its own ``MetaData`` (never the
service's live tables: those move on, a revision is history), and takes both steps from here::

    metadata = sa.MetaData()
    upgrade, downgrade = create_tables(sa.Table("k_locaties", metadata, ...))

Indexes and constraints declared on a table are created with it.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

Step = Callable[[], None]


def create_tables(*tables: sa.Table) -> tuple[Step, Step]:
    """``(upgrade, downgrade)``: create ``tables`` in order; drop them in reverse order."""

    def upgrade() -> None:
        bind = op.get_bind()
        for table in tables:
            table.create(bind)

    def downgrade() -> None:
        for table in reversed(tables):
            op.drop_table(table.name)

    return upgrade, downgrade
