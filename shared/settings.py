"""Settings shared by every service; each service extends :class:`ServiceSettings`.

Settings are read from the environment (prefix ``BODEMREGIE_``) when a service's factory builds
them, never at import time.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.messaging.kafka_client import KafkaAccess, credentials_file, from_credentials_file

DEFAULT_DEV_SECRET = "bodemregie-dev-secret-change-me-0123456789"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """What every service needs: its database, Kafka, auth and identity."""

    model_config = SettingsConfigDict(env_prefix="BODEMREGIE_", extra="ignore")

    mode: Mode = Mode.DEVELOPMENT
    port: int = 8000
    database_url: str = ""
    kafka_bootstrap: str = "localhost:9092"
    kafka_enabled: bool = True
    spoedlocaties_topic: str = "bodem.spoedlocaties.v1"
    kennis_topic: str = "bodem.kennis.v1"
    anker_elke: int = Field(default=1000, ge=1)
    anker_sleutel: str = ""  # path to an Ed25519 private key (PEM) that signs the anchors
    # Retired anchor keys (shared/ankersleutels.py): comma-separated PEM/JWK/JWKS files or
    # directories; they sign nothing new but are served in /v1/ankersleutels with the current
    # key, so anchors signed before a rotation stay verifiable.
    anker_oude_sleutels: str = ""
    jwt_secret: str = DEFAULT_DEV_SECRET
    jwks_url: str = ""
    jwks_file: str = ""
    jwt_audience: str = ""
    oin: str = "00000001003214345000"
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    public_base_url: str = ""
    # How long an Idempotency-Key's answer is kept (shared/http/idempotentie.py); the API
    # promises at least a day, since other systems retry after time-outs.
    idempotentie_bewaartijd_uren: int = Field(default=24, ge=24)
    # --- Kafka login (SASL/SCRAM; shared/messaging/kafka_client.py) ---
    # A credentials file (JSON, as deploy/kafka/kafka.sh writes them) or a username and
    # password. Without either, a development service logs in with
    # var/kafka-credentials/<service_name>.json when that file exists.
    kafka_credentials_file: str = ""
    kafka_username: str = ""
    kafka_password: str = Field(default="", repr=False)
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"

    def kafka_access(self) -> KafkaAccess:
        """The broker and this service's principal, for every Kafka client it builds."""
        if self.kafka_credentials_file:
            return from_credentials_file(self.kafka_bootstrap, self.kafka_credentials_file)
        if self.kafka_username:
            return KafkaAccess(
                self.kafka_bootstrap,
                self.kafka_username,
                self.kafka_password,
                self.kafka_sasl_mechanism,
            )
        service = str(getattr(self, "service_name", ""))
        default = credentials_file(service)
        if self.mode is Mode.DEVELOPMENT and service and default.exists():
            return from_credentials_file(self.kafka_bootstrap, default)
        if self.mode is Mode.PRODUCTION:
            raise ValueError(
                "production mode logs in to Kafka: set BODEMREGIE_KAFKA_CREDENTIALS_FILE or "
                "BODEMREGIE_KAFKA_USERNAME and BODEMREGIE_KAFKA_PASSWORD"
            )
        return KafkaAccess(self.kafka_bootstrap)

    @model_validator(mode="after")
    def _production_is_strict(self) -> ServiceSettings:
        if self.mode is Mode.PRODUCTION:
            if not (self.jwks_url or self.jwks_file):
                raise ValueError("production mode verifies RS256 tokens: set BODEMREGIE_JWKS_URL")
            if self.jwt_secret == DEFAULT_DEV_SECRET:
                # The dev secret must never be accepted in production, even by accident.
                self.jwt_secret = ""
        return self


def default_sqlite_url(service: str) -> str:
    """The embedded default database of a service: a SQLite file under the ignored ``var/``."""
    path = PROJECT_ROOT / "var" / "data" / f"{service}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
