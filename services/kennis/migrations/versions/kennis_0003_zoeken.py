"""Kennis: the search index over questions, answers, documents and successes.

PostgreSQL searches with its Dutch text configuration (GIN index on the tsvector); SQLite, the
embedded default, with an FTS5 table over Dutch word stems (FTS5 has no Dutch stemmer).

Revision ID: kennis_0003
"""

import sqlalchemy as sa
from alembic import op

from shared.db.columns import tijdstip

revision = "kennis_0003"
down_revision = "kennis_0002"

metadata = sa.MetaData()
zoekindex = sa.Table(
    "k_zoekindex",
    metadata,
    sa.Column("ref", sa.String(40), primary_key=True),
    sa.Column("soort", sa.String(30), nullable=False),
    sa.Column("titel", sa.String(300), nullable=False),
    sa.Column("tekst", sa.Text, nullable=False),
    sa.Column("themas", sa.JSON, nullable=False),
    sa.Column("organisatie", sa.String(2), nullable=True),
    tijdstip("vastgelegd_op"),
)


def upgrade() -> None:
    zoekindex.create(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_k_zoekindex_fts ON k_zoekindex USING GIN "
            "(to_tsvector('dutch', titel || ' ' || tekst))"
        )
    else:
        op.execute("CREATE VIRTUAL TABLE k_zoek_fts USING fts5(ref UNINDEXED, stammen)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE k_zoek_fts")
    op.drop_table(zoekindex.name)
