"""What the services' demo scripts (``make demo``) share: the error that stops them, the token a
bevoegd gezag's demo user acts with, and the command line around playing a history through a
running service's public API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import httpx

from shared.auth import Rol, mint_dev_token
from shared.settings import ServiceSettings

Speel = Callable[[httpx.Client, argparse.Namespace, str], str]
"""Plays the demo through the client, with the parsed arguments and the JWT secret; returns the
line that says what it did."""


class DemoFout(Exception):
    """The service refused a request of the demo: the demo stops there."""


def gezagstoken(secret: str, bevoegd_gezag: str) -> str:
    """A development token for the demo user of a bevoegd gezag."""
    return mint_dev_token(
        secret, f"demo@{bevoegd_gezag.lower()}.nl", Rol.BEVOEGD_GEZAG, bevoegd_gezag
    )


def demo_main(
    argv: list[str] | None,
    *,
    beschrijving: str | None,
    url: str,
    seed: int,
    speel: Speel,
    naam: str,
    argumenten: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """``--url`` (default ``url``), the demo's own ``argumenten`` and ``--seed``; then ``speel``
    against the service. 1 with the reason on stderr when the service refuses or cannot be
    reached, else 0 with ``speel``'s line."""
    parser = argparse.ArgumentParser(description=beschrijving)
    parser.add_argument("--url", default=url)
    if argumenten is not None:
        argumenten(parser)
    parser.add_argument("--seed", type=int, default=seed)
    args = parser.parse_args(argv)
    try:
        with httpx.Client(base_url=args.url, timeout=60) as client:
            klaar = speel(client, args, ServiceSettings().jwt_secret)
    except (DemoFout, httpx.HTTPError) as exc:
        print(f"{naam} afgebroken: {exc}", file=sys.stderr)
        return 1
    print(klaar)
    return 0
