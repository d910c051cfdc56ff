"""The ``Allow`` header of a 405: every method the OpenAPI document gives the path.

Starlette answers a 405 with the methods of the first route whose path matched, so a resource
with GET and POST in two routes said ``Allow: POST`` on a DELETE. The document is what clients
generate from, so the header is read from it: the same methods, all of them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from fastapi import FastAPI

_METHODEN = ("get", "put", "post", "delete", "patch")
_SJABLONEN: dict[int, list[tuple[re.Pattern[str], bool, tuple[str, ...]]]] = {}


def _sjablonen(doc: dict[str, Any]) -> list[tuple[re.Pattern[str], bool, tuple[str, ...]]]:
    gevonden = _SJABLONEN.get(id(doc))
    if gevonden is None:
        basis = urlparse(doc.get("servers", [{}])[0].get("url", "")).path.rstrip("/")
        gevonden = []
        for pad, item in doc.get("paths", {}).items():
            patroon = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(basis + pad))
            methoden = tuple(m.upper() for m in _METHODEN if m in item)
            gevonden.append((re.compile(f"^{patroon}$"), "{" in pad, methoden))
        _SJABLONEN[id(doc)] = gevonden
    return gevonden


def toegestaan(app: FastAPI, pad: str) -> list[str]:
    """The documented methods of ``pad`` (HEAD is not offered), in the document's order. A
    concrete path is matched before the templated ones, as OpenAPI says (``/spoedlocaties/import``
    is not the site ``import`` of ``/spoedlocaties/{locatieId}``)."""
    passend = [
        (sjabloon, van_pad) for p, sjabloon, van_pad in _sjablonen(app.openapi()) if p.match(pad)
    ]
    if any(not sjabloon for sjabloon, _ in passend):
        passend = [(sjabloon, van_pad) for sjabloon, van_pad in passend if not sjabloon]
    methoden: list[str] = []
    for _, van_pad in passend:
        methoden.extend(m for m in van_pad if m not in methoden)
    return methoden
