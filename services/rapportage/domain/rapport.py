"""A report as published: its tables and its digest. Read-only through and through
(``frozen.py``); the report functions are in ``rapporten.py`` and ``planrapporten.py``."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.rapportage.domain.frozen import freeze


@dataclass(frozen=True)
class Tabel:
    titel: str
    kolommen: Sequence[str]
    rijen: Sequence[Sequence[Any]]
    grafiek: tuple[str, str] | None = None  # (label column, value column) for a bar chart

    def __post_init__(self) -> None:
        object.__setattr__(self, "kolommen", freeze(list(self.kolommen)))
        object.__setattr__(self, "rijen", freeze([list(r) for r in self.rijen]))


@dataclass(frozen=True)
class Rapport:
    """A report as published. Read-only through and through (``frozen.py``): the service caches
    it and serves it to every request that asks the same, so a change is a new report
    (``dataclasses.replace``, ``gebonden``)."""

    naam: str
    titel: str
    parameters: Mapping[str, Any]
    positie: int
    inhoud: Mapping[str, Any]
    tabellen: Sequence[Tabel] = field(default_factory=tuple)
    logboeken: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for veld in ("parameters", "inhoud", "logboeken"):
            object.__setattr__(self, veld, freeze(dict(getattr(self, veld))))
        object.__setattr__(self, "tabellen", tuple(self.tabellen))

    @functools.cached_property
    def digest(self) -> str:
        """Computed once per report: it cannot change, and the cached report is served (and
        its digest asked for, as ETag and in the body) many times."""
        canoniek = json.dumps(
            {
                "rapport": self.naam,
                "parameters": self.parameters,
                "positie": self.positie,
                "inhoud": self.inhoud,
                "logboeken": self.logboeken,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        )
        return "sha256:" + hashlib.sha256(canoniek.encode()).hexdigest()
