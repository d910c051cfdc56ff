"""One row of the chaos table, and the table itself (Markdown, as it goes to RELIABILITY.md)."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.tellen import Telling


@dataclass(frozen=True)
class Uitkomst:
    scenario: str
    telling: Telling
    digests_equal: bool | None  # None: the scenario has no read model to compare
    answered_503: int | None  # requests answered 503 with Retry-After while a dependency was away
    answered_500: int | None
    recover_s: float
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.telling.exact and self.digests_equal is not False and not self.answered_500


HEADER = (
    "| scenario | commands acknowledged | events on Kafka | lost | doubled | order per site kept "
    "| read-model digests equal | 503 + Retry-After / 500 | time to recover | |\n"
    "| --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | --- |"
)


def _yn(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "**NO**")


def rij(u: Uitkomst) -> str:
    t = u.telling
    answers = "n/a" if u.answered_503 is None else f"{u.answered_503} / {u.answered_500 or 0}"
    return (
        f"| {u.scenario} | {t.acknowledged:,} | {t.on_kafka:,} | {t.lost} | {t.doubled} "
        f"| {_yn(t.order_kept)} | {_yn(u.digests_equal)} | {answers} | {u.recover_s:.1f} s "
        f"| {'pass' if u.passed else '**FAIL**'}{'; ' + u.note if u.note else ''} |"
    )


def tabel(uitkomsten: list[Uitkomst]) -> str:
    return "\n".join([HEADER, *(rij(u) for u in uitkomsten)])
