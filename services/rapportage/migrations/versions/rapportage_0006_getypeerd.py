"""Typed columns on the spoedlocaties facts: the business date as it came and the one field the
timelines read of a single-field fact (a status, a bottleneck, an amount, a new authority), so
the start reads those instead of parsing every fact's JSON; and the record time in microseconds
since 1970 UTC, so it is not computed from the timestamp at every start. Filled for the facts
already there by what the start computed until now (the same function the projection uses,
``feitkolommen.getypeerd``, and the same SQL for the microseconds); a fact without them is read
as before, so a row left empty changes no answer.

Revision ID: rapportage_0006
"""

import sqlalchemy as sa
from alembic import op

from services.rapportage.adapters.projection import POSTGRES_US, SQLITE_US
from services.rapportage.domain.feitkolommen import ENKEL_VELD, getypeerd

revision = "rapportage_0006"
down_revision = "rapportage_0005"

KOLOMMEN = ("datum", "tekst", "getal", "vastgelegd_us")
PER_KEER = 10_000


def _kolommen() -> list[sa.Column[object]]:
    # New objects each time: a column belongs to one table (tests migrate many databases).
    return [
        sa.Column("datum", sa.Text, nullable=True),
        sa.Column("tekst", sa.Text, nullable=True),
        sa.Column("getal", sa.BigInteger, nullable=True),
        sa.Column("vastgelegd_us", sa.BigInteger, nullable=True),
    ]


def upgrade() -> None:
    for kolom in _kolommen():
        op.add_column("r_feiten", kolom)
    vul(op.get_bind())


def vul(conn: sa.Connection) -> None:
    """Fills the typed columns of the facts there: the microseconds in one statement, the rest
    a part of positions at a time (a national log has millions), one executemany per part."""
    us = SQLITE_US if conn.dialect.name == "sqlite" else POSTGRES_US
    conn.execute(sa.text(f"UPDATE r_feiten SET vastgelegd_us = {us}"))
    t = sa.table(
        "r_feiten",
        sa.column("positie", sa.BigInteger),
        sa.column("soort", sa.String),
        sa.column("data", sa.JSON),
        *(sa.column(k) for k in KOLOMMEN[:3]),
    )
    lees = (
        sa.select(t.c.positie, t.c.soort, t.c.data)
        .where(t.c.soort.in_(sorted(ENKEL_VELD)), t.c.positie > sa.bindparam("na"))
        .order_by(t.c.positie)
        .limit(PER_KEER)
    )
    zet = (
        sa.update(t)
        .where(t.c.positie == sa.bindparam("_positie"))
        .values(
            datum=sa.bindparam("_datum"), tekst=sa.bindparam("_tekst"), getal=sa.bindparam("_getal")
        )
    )
    na = 0
    while rijen := conn.execute(lees, {"na": na}).all():
        na = rijen[-1].positie
        waarden = [
            {"_positie": r.positie, "_datum": g[0], "_tekst": g[1], "_getal": g[2]}
            for r in rijen
            if isinstance(r.data, dict) and (g := getypeerd(r.soort, r.data)) is not None
        ]
        if waarden:
            conn.execute(zet, waarden)


def downgrade() -> None:
    with op.batch_alter_table("r_feiten") as batch:
        for kolom in KOLOMMEN:
            batch.drop_column(kolom)
