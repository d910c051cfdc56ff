"""/v1/onverwerkbare-gebeurtenissen: what the kennis consumer refused, and why (the route all
services with consumers share, shared/http/dead_letters.py)."""

from __future__ import annotations

from shared.http import dead_letters

router = dead_letters.router(tags=["Onverwerkbare gebeurtenissen"])
