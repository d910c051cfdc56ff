"""``bodemregie`` command line: development tokens, Kafka topics, ACLs and credentials, audits,
privacy and bulk import."""

from __future__ import annotations

import argparse
import sys

from shared.auth import Rol, mint_dev_token
from shared.commandline import run
from shared.messaging.acls import ADMIN, PRINCIPALS, ensure_acls, grants
from shared.messaging.kafka_client import (
    KafkaCredentialsError,
    credentials_file,
    from_credentials_file,
)
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
    settings = ServiceSettings()
    # The admin's login unless told otherwise; never BODEMREGIE_KAFKA_CREDENTIALS_FILE: where a
    # service runs, that is the service's own login, which may not create topics or set ACLs.
    path = args.kafka_inlog or str(credentials_file(ADMIN))
    try:
        admin = from_credentials_file(args.bootstrap or settings.kafka_bootstrap, path)
    except KafkaCredentialsError as exc:
        print(exc, file=sys.stderr)
        return 2
    ensure_topics(admin, replicas=args.replicas)
    ensure_acls(admin, grants())
    print("topics and ACLs ok")
    return 0


def _kafka_credentials(args: argparse.Namespace) -> int:
    """Hand a principal's generated credentials to whoever needs them (e.g. an auditor)."""
    path = credentials_file(args.principal)
    if not path.exists():
        print(f"no credentials at {path}: start Kafka once (make kafka)", file=sys.stderr)
        return 2
    if args.pad:
        print(path)
    else:
        print(path.read_text(encoding="utf-8"), end="")
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

    topics = sub.add_parser("topics", help="create the Kafka topics and ACLs if missing (as admin)")
    topics.add_argument("--bootstrap", default="")
    topics.add_argument(
        "--kafka-inlog",
        "--credentials",
        dest="kafka_inlog",
        default="",
        help="the admin's Kafka credentials file (default var/kafka-credentials/admin.json)",
    )
    topics.add_argument(
        "--replicas",
        type=int,
        default=1,
        choices=(1, 2, 3),
        help="replication factor of new topics (3 on the cluster of make cluster: "
        "min.insync.replicas is one less)",
    )
    topics.set_defaults(func=_topics)

    creds = sub.add_parser(
        "kafka-credentials", help="print a Kafka principal's generated credentials (JSON)"
    )
    creds.add_argument("principal", choices=[p for p in PRINCIPALS if p != ADMIN])
    creds.add_argument("--pad", action="store_true", help="print the file's path instead")
    creds.set_defaults(func=_kafka_credentials)

    from auditor.cli import add_parser as add_audit

    add_audit(sub)

    # privacy: erasure in every person store (kept in one block; see bodemregie/privacy.py)
    from bodemregie.privacy import add_parser as add_privacy

    add_privacy(sub)

    # import: a history file into the locaties service (see bodemregie/importeren.py)
    from bodemregie.importeren import add_parser as add_import

    add_import(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
