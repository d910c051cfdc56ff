"""Locaties: ``spoedlocatie_standen``'s record-time index holds ``bekend_vanaf`` alone (it held
``bekend_vanaf, bekend_tot``), and on PostgreSQL its pages keep a tenth free, so that closing a
row can be a HOT update.

Every status change closes its site's open row (sets ``bekend_tot``, the only column it
changes). With ``bekend_tot`` in an index PostgreSQL writes that new row version into all four
of the table's indexes; with no indexed column changed, and room on the row's page, it keeps the
new version on the same page and writes no index entry at all (a heap-only tuple). The room:
``fillfactor = 90`` leaves a tenth of each page free at insert for the versions its rows get
when closed (each row is closed at most once; the dead versions are pruned on later visits to
the page). It holds for pages written from now on; older ones gain it as they are pruned.

The index served the historic list's ``bekend_vanaf < moment`` (``tijdfilters``), a bound on its
first column; its second column only pre-tested ``bekend_tot IS NULL OR bekend_tot >= moment``
in the index, which the heap row answers as well (measured on 810,000 rows: the same plans, the
same or shorter times).

On PostgreSQL the new index is built and the old one dropped ``CONCURRENTLY``
(``shared.db.migrations.maak_index``), so writes go on while they run and the filter has an
index throughout.

Revision ID: locaties_0006
"""

from alembic import op

from shared.db.migrations import maak_index, verwijder_index

revision = "locaties_0006"
down_revision = "locaties_0005"
branch_labels = None
depends_on = None

TABEL = "spoedlocatie_standen"
OUD, NIEUW = "ix_standen_bekend", "ix_standen_bekend_vanaf"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(NIEUW, TABEL, ["bekend_vanaf"])
        op.drop_index(OUD, TABEL)
        return
    maak_index(NIEUW, TABEL, "(bekend_vanaf)")
    verwijder_index(OUD)
    op.execute(f"ALTER TABLE {TABEL} SET (fillfactor = 90)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(OUD, TABEL, ["bekend_vanaf", "bekend_tot"])
        op.drop_index(NIEUW, TABEL)
        return
    op.execute(f"ALTER TABLE {TABEL} RESET (fillfactor)")
    maak_index(OUD, TABEL, "(bekend_vanaf, bekend_tot)")
    verwijder_index(NIEUW)
