"""Content negotiation on ``Accept`` (RFC 9110 12.5.1): the offered media type the client
prefers, by quality value and then by specificity; no ``Accept`` means the first offer."""

from __future__ import annotations

from collections.abc import Sequence

from shared.http.problems import PROBLEM_JSON, ProblemError


def _bereik(deel: str) -> tuple[str, float] | None:
    """One media range of an Accept header and its q (None when malformed)."""
    soort, *parameters = (p.strip() for p in deel.split(";"))
    q = 1.0
    for parameter in parameters:
        naam, _, waarde = parameter.partition("=")
        if naam.strip().lower() == "q":
            try:
                q = float(waarde)
            except ValueError:
                return None
            if not 0.0 <= q <= 1.0:
                return None
    return (soort.lower(), q) if "/" in soort else None


def _past(bereik: str, soort: str) -> int:
    """How specifically ``bereik`` names ``soort``: 2 exactly, 1 type/*, 0 */*, -1 not."""
    if bereik == soort:
        return 2
    hoofd, _, sub = bereik.partition("/")
    if bereik == "*/*":
        return 0
    return 1 if sub == "*" and soort.startswith(f"{hoofd}/") else -1


def kies(accept: str | None, aanbod: Sequence[str]) -> str | None:
    """The offer to answer with, or None when the client accepts none of them. An error is
    answered as problem+json whatever was asked, so asking for that alone is taken as asking
    for the default."""
    if not accept or not accept.strip():
        return aanbod[0]
    bereiken = [b for b in (_bereik(d) for d in accept.split(",") if d.strip()) if b]
    beste: tuple[float, int, int] | None = None
    keuze = None
    for volgorde, soort in enumerate(aanbod):
        passend = [(s, q) for b, q in bereiken if (s := _past(b, soort)) >= 0]
        if not passend:
            continue
        # The most specific range that names the offer decides its q (RFC 9110).
        specifiek, q = max(passend, key=lambda p: p[0])
        if q <= 0:
            continue
        score = (q, specifiek, -volgorde)
        if beste is None or score > beste:
            beste, keuze = score, soort
    if keuze is None and any(b == PROBLEM_JSON for b, q in bereiken if q > 0):
        return aanbod[0]
    return keuze


def onderhandel(accept: str | None, aanbod: Sequence[str]) -> str:
    """``kies``, or 406 problem+json naming what can be had."""
    keuze = kies(accept, aanbod)
    if keuze is None:
        raise ProblemError(
            406,
            f"Geen van de gevraagde formaten ({accept}) is beschikbaar; kies uit "
            f"{', '.join(aanbod)}.",
        )
    return keuze
