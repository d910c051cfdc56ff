"""Dutch full-text search: PostgreSQL's ``dutch`` configuration, or SQLite FTS5 over stems."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, text
from sqlalchemy.orm import Session

from services.kennis.adapters.tables import zoekindex
from services.kennis.domain.gelijkenis import stammen


@dataclass(frozen=True)
class Treffer:
    ref: str
    soort: str
    titel: str
    score: float


def indexeer(
    session: Session,
    ref: str,
    soort: str,
    titel: str,
    tekst: str,
    themas: list[str],
    organisatie: str | None,
) -> None:
    session.execute(delete(zoekindex).where(zoekindex.c.ref == ref))
    session.execute(
        insert(zoekindex).values(
            ref=ref,
            soort=soort,
            titel=titel,
            tekst=tekst,
            themas=themas,
            organisatie=organisatie,
            vastgelegd_op=datetime.now(UTC),
        )
    )
    if session.get_bind().dialect.name != "postgresql":
        session.execute(text("DELETE FROM k_zoek_fts WHERE ref = :ref"), {"ref": ref})
        session.execute(
            text("INSERT INTO k_zoek_fts (ref, stammen) VALUES (:ref, :s)"),
            {"ref": ref, "s": " ".join(stammen(f"{titel} {tekst}"))},
        )


def zoek(session: Session, vraag: str, limiet: int = 20) -> list[Treffer]:
    """Any of the words, ranked by how many match and how often (on both databases)."""
    if session.get_bind().dialect.name == "postgresql":
        woorden = re.findall(r"\w+", vraag.lower())
        if not woorden:
            return []
        rijen: Any = session.execute(
            text(
                "SELECT ref, soort, titel, ts_rank(d, q) AS score FROM k_zoekindex, "
                "to_tsvector('dutch', titel || ' ' || tekst) d, to_tsquery('dutch', :v) q "
                "WHERE d @@ q ORDER BY score DESC, ref LIMIT :n"
            ),
            {"v": " | ".join(woorden), "n": limiet},
        )
    else:
        termen = sorted(set(stammen(vraag)))
        if not termen:
            return []
        rijen = session.execute(
            text(
                "SELECT i.ref, i.soort, i.titel, -bm25(k_zoek_fts) AS score FROM k_zoek_fts f "
                "JOIN k_zoekindex i ON i.ref = f.ref WHERE k_zoek_fts MATCH :m "
                "ORDER BY score DESC, i.ref LIMIT :n"
            ),
            {"m": " OR ".join(f'"{t}"' for t in termen), "n": limiet},
        )
    return [Treffer(r.ref, r.soort, r.titel, round(float(r.score), 4)) for r in rijen]
