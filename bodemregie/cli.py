"""``bodemregie`` command line: development tokens, topics, and (per service) serve/rebuild."""

from __future__ import annotations

import argparse
import logging
import sys

from shared.auth import Rol, mint_dev_token
from shared.messaging.topics import ensure_topics
from shared.settings import Mode, ServiceSettings


def _token(args: argparse.Namespace) -> int:
    settings = ServiceSettings()
    if settings.mode is Mode.PRODUCTION:
        print("tokens are minted by the identity provider in production mode", file=sys.stderr)
        return 2
    if args.rol == Rol.BEVOEGD_GEZAG and not args.organisatie:
        print("--organisatie is required for rol bevoegd-gezag", file=sys.stderr)
        return 2
    print(
        mint_dev_token(
            settings.jwt_secret,
            args.sub,
            args.rol,
            args.organisatie,
            ttl_seconds=args.geldig_uren * 3600,
        )
    )
    return 0


def _topics(args: argparse.Namespace) -> int:
    ensure_topics(args.bootstrap or ServiceSettings().kafka_bootstrap)
    print("topics ok")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bodemregie", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    token = sub.add_parser("token", help="mint a development JWT (HS256, development mode only)")
    token.add_argument("--rol", required=True, choices=[r.value for r in Rol])
    token.add_argument("--organisatie", help="bevoegd gezag code, e.g. ZH or AM")
    token.add_argument("--sub", default="ontwikkelaar@bodemregie.local")
    token.add_argument("--geldig-uren", type=int, default=8)
    token.set_defaults(func=_token)

    topics = sub.add_parser("topics", help="create the Kafka topics if missing")
    topics.add_argument("--bootstrap", default="")
    topics.set_defaults(func=_topics)

    from auditor.cli import add_parser as add_audit

    add_audit(sub)

    # privacy: erasure in every person store (kept in one block; see bodemregie/privacy.py)
    from bodemregie.privacy import add_parser as add_privacy

    add_privacy(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
