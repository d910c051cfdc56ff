"""Who talks to Kafka, and how: the one place that turns an address and a principal's
credentials into kafka-python client options.

The broker (deploy/kafka) takes SASL/SCRAM logins only; each service logs in as its own
principal, whose ACLs allow exactly what that service does (shared/messaging/acls.py).
Credentials are JSON files ``{"username", "password", "mechanism"}``; deploy/kafka/kafka.sh
generates one per principal under ``var/kafka-credentials/`` (mode 0600) on its first start.
Every ``KafkaProducer``, ``KafkaConsumer`` and ``KafkaAdminClient`` is built with
:meth:`KafkaAccess.client_options`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS_DIR = PROJECT_ROOT / "var" / "kafka-credentials"
DEFAULT_MECHANISM = "SCRAM-SHA-512"
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


class KafkaCredentialsError(Exception):
    """A credentials file is missing or unreadable; says which and how to make one."""


@dataclass(frozen=True)
class KafkaAccess:
    """A broker address and the principal to log in as (none: an unauthenticated PLAINTEXT
    client, which the project's broker refuses)."""

    bootstrap: str
    username: str = ""
    password: str = field(default="", repr=False)
    mechanism: str = DEFAULT_MECHANISM

    def __post_init__(self) -> None:
        if self.mechanism not in MECHANISMS:
            raise ValueError(f"unsupported SASL mechanism {self.mechanism!r}; use {MECHANISMS}")

    @property
    def authenticated(self) -> bool:
        return bool(self.username)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any kafka-python client (producer, consumer, admin)."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap}
        if self.authenticated:
            # kafka-python warns on every SCRAM login over a TLS-less listener; SCRAM never
            # sends the password, and the transport is the deployment's choice (README).
            logging.getLogger("kafka.net.sasl.scram").setLevel(logging.ERROR)
            options.update(
                security_protocol="SASL_PLAINTEXT",
                sasl_mechanism=self.mechanism,
                sasl_plain_username=self.username,
                sasl_plain_password=self.password,
            )
        return options

    def as_principal(self, path: Path | str) -> KafkaAccess:
        """The same broker, logged in with the credentials in ``path``."""
        return from_credentials_file(self.bootstrap, path)


def credentials_file(principal: str, directory: Path = CREDENTIALS_DIR) -> Path:
    """Where kafka.sh keeps a principal's generated credentials."""
    return directory / f"{principal}.json"


def from_credentials_file(bootstrap: str, path: Path | str) -> KafkaAccess:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return KafkaAccess(
            bootstrap,
            username=str(data["username"]),
            password=str(data["password"]),
            mechanism=str(data.get("mechanism", DEFAULT_MECHANISM)),
        )
    except FileNotFoundError as exc:
        raise KafkaCredentialsError(
            f"no Kafka credentials at {path}; the broker's first start makes them "
            "(deploy/kafka/kafka.sh start, or make kafka / make run)"
        ) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KafkaCredentialsError(f"unreadable Kafka credentials in {path}: {exc}") from exc
