"""Kennis: koplopers on a peildatum. The status history of every site (from
bodem.spoedlocaties.v1, with the business date of each change) and the answers and successes
with the day they were given.

Rows from before this revision have no date (NULL): they count on every peildatum.

Revision ID: kennis_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "kennis_0006"
down_revision = "kennis_0005"


def upgrade() -> None:
    standen = op.create_table(
        "k_locatie_standen",
        sa.Column("volgnummer", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("locatie_id", sa.String(11), nullable=False),
        sa.Column("datum", sa.Date, nullable=True),
        sa.Column("bevoegd_gezag", sa.String(2), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
    )
    op.create_index("ix_k_locatie_standen_datum", "k_locatie_standen", ["datum"])
    bijdragen = op.create_table(
        "k_bijdragen",
        sa.Column("ref", sa.String(40), primary_key=True),
        sa.Column("soort", sa.String(20), nullable=False),
        sa.Column("organisatie", sa.String(2), nullable=True),
        sa.Column("datum", sa.Date, nullable=True),
    )
    bind = op.get_bind()
    locaties = sa.table(
        "k_locaties", sa.column("locatie_id"), sa.column("bevoegd_gezag"), sa.column("status")
    )
    rijen = [dict(r._mapping) for r in bind.execute(sa.select(locaties))]
    if rijen:
        op.bulk_insert(standen, rijen)
    vragen = sa.table("kennisvragen", sa.column("antwoorden", sa.JSON))
    rijen = [
        {"ref": a["antwoordId"], "soort": "antwoord", "organisatie": a["organisatie"]}
        for (antwoorden,) in bind.execute(sa.select(vragen.c.antwoorden))
        for a in antwoorden
    ]
    index = sa.table("k_zoekindex", sa.column("ref"), sa.column("soort"), sa.column("organisatie"))
    gemeld = sa.select(index.c.ref, index.c.organisatie).where(index.c.soort == "succes")
    rijen += [
        {"ref": ref, "soort": "succes", "organisatie": org} for ref, org in bind.execute(gemeld)
    ]
    if rijen:
        op.bulk_insert(bijdragen, rijen)


def downgrade() -> None:
    op.drop_table("k_bijdragen")
    op.drop_table("k_locatie_standen")
