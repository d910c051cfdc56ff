"""Content negotiation on Accept (shared/http/onderhandeling.py), RFC 9110 12.5.1."""

from __future__ import annotations

import pytest

from shared.http.onderhandeling import kies, onderhandel
from shared.http.problems import ProblemError

AANBOD = ["application/json", "application/geo+json"]


@pytest.mark.parametrize(
    ("accept", "keuze"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("application/geo+json", "application/geo+json"),
        ("APPLICATION/GEO+JSON; charset=utf-8", "application/geo+json"),
        ("application/json;q=0.5, application/geo+json", "application/geo+json"),
        ("application/geo+json;q=0.2, */*;q=0.9", "application/json"),
        ("text/html, application/geo+json;q=0.1", "application/geo+json"),
        ("application/problem+json", "application/json"),
        ("text/html", None),
        ("application/geo+json;q=0, text/html", None),
        ("*/*;q=0", None),
        ("application/json;q=nonsense", None),
    ],
)
def test_the_preferred_offer_is_chosen(accept: str | None, keuze: str | None) -> None:
    assert kies(accept, AANBOD) == keuze


def test_nothing_acceptable_is_406() -> None:
    with pytest.raises(ProblemError) as fout:
        onderhandel("text/html", AANBOD)
    assert fout.value.status == 406
    assert "application/geo+json" in fout.value.detail
