"""``bodemregie privacy vergeet PERSOON``: erasure (AVG art. 17) in every person store.

Each service that records people's actions keeps its own store, with its own pseudonyms, in
its own database; erasing by login therefore goes through every configured database (the
locaties and kennis databases of this environment, or those given with ``--database``).
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from services.kennis.config import KennisSettings
from services.locaties.config import LocatiesSettings
from shared.db.engine import make_engine, make_session_factory
from shared.privacy import Personen, is_pseudoniem
from shared.privacy.instellingen import PrivacySettings


def _databases(gegeven: list[str] | None) -> list[tuple[str, str]]:
    if gegeven:
        return [(make_url(url).render_as_string(hide_password=True), url) for url in gegeven]
    uit: dict[str, str] = {}
    for settings in (LocatiesSettings(), KennisSettings()):
        uit.setdefault(settings.database(), settings.service_name)
    return [(naam, url) for url, naam in uit.items()]


def vergeet(persoon: str, databases: list[tuple[str, str]], personen: Personen) -> list[str]:
    """Erase ``persoon`` (login or pseudonym) in every database; one line per database."""
    regels = []
    for naam, url in databases:
        engine = make_engine(url)
        try:
            if not inspect(engine).has_table("personen"):
                regels.append(f"{naam}: geen personenregister")
                continue
            with make_session_factory(engine).begin() as session:
                pseudoniem = persoon if is_pseudoniem(persoon) else personen.zoek(session, persoon)
                moment = None if pseudoniem is None else personen.vergeet(session, pseudoniem)
            if moment is None:
                regels.append(f"{naam}: niet bekend")
            else:
                regels.append(f"{naam}: {pseudoniem} vergeten op {moment.isoformat()}")
        finally:
            engine.dispose()
    return regels


def _vergeet(args: argparse.Namespace) -> int:
    regels = vergeet(
        args.persoon, _databases(args.database), Personen(PrivacySettings().sleutelring())
    )
    for regel in regels:
        print(regel)
    return 0 if any(" vergeten op " in r for r in regels) else 1


def add_parser(sub: Any) -> None:
    privacy = sub.add_parser("privacy", help="personal data: erasure (AVG)")
    acties = privacy.add_subparsers(dest="privacy_command", required=True)
    p = acties.add_parser(
        "vergeet",
        help="destroy a person's key and details in every person store (log stays intact)",
    )
    p.add_argument("persoon", help="login (e-mail) or pseudonym (prs-...)")
    p.add_argument(
        "--database",
        action="append",
        help="a database URL (repeatable); default: the locaties and kennis databases",
    )
    p.set_defaults(func=_vergeet)
