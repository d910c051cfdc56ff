"""Settings shared by every service; each service extends :class:`ServiceSettings`.

Settings are read from the environment (prefix ``BODEMREGIE_``) when a service's factory builds
them, never at import time.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.messaging.kafka_client import KafkaAccess, credentials_file, from_credentials_file

DEFAULT_DEV_SECRET = "bodemregie-dev-secret-change-me-0123456789"
MIN_SECRET_BYTES = 32
DEFAULT_RATE_LIMIT_PER_MINUTE = 3000
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
    jwks_url: str = ""  # production: https only
    jwks_file: str = ""
    jwt_issuer: str = ""  # production: required, checked against the token's iss
    jwt_audience: str = ""  # production: required, checked against the token's aud
    jwt_max_lifetime_seconds: int = Field(default=12 * 3600, ge=60)  # production: exp - iat
    oin: str = "00000001003214345000"
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # Requests per minute per token (or per client address without one), 0 = off. Sized so
    # that `make demo` (its busiest token sends ~1,100 of ~14,000 requests) and the benchmarks
    # never wait: a token may burst a minute's worth, then keeps 50 requests a second.
    rate_limit_per_minute: int = Field(default=DEFAULT_RATE_LIMIT_PER_MINUTE, ge=0)
    public_base_url: str = ""
    # Browser frontends that may call the API (CORS, shared/http/cors.py): comma-separated
    # origins such as https://kaart.example.nl; none by default, so no browser page elsewhere can.
    cors_origins: str = ""
    # How long an Idempotency-Key's answer is kept (shared/http/idempotency.py); the API
    # promises at least a day, since other systems retry after time-outs.
    idempotentie_bewaartijd_uren: int = Field(default=24, ge=24)
    # The outbox relay's rounds (``shared.outbox.OutboxRelay.run``): a round starts at most
    # every ``relay_coalesce_s`` after the last one began, or once ``relay_coalesce_max`` more
    # commits were signalled after a wake-up.
    relay_coalesce_s: float = Field(default=0.005, ge=0, le=1)
    relay_coalesce_max: int = Field(default=100, ge=1)
    # --- Kafka login (SASL/SCRAM; shared/messaging/kafka_client.py) ---
    # A credentials file (JSON, as deploy/kafka/kafka.sh writes them) or a username and
    # password. Without either, a development service logs in with
    # var/kafka-credentials/<service_name>.json when that file exists.
    kafka_credentials_file: str = ""
    kafka_username: str = ""
    kafka_password: str = Field(default="", repr=False)
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    # --- Health (shared/http/health.py) and logs (shared/http/logs.py) ---
    # /v1/ready answers 503 while a consumer is more records than this behind its partitions.
    consumer_max_lag: int = Field(default=10_000, ge=0)
    # Every log line as one JSON object with the request's correlation id.
    log_json: bool = True

    def cors_origin_lijst(self) -> list[str]:
        """The named CORS origins (checked by ``_origins_are_origins``)."""
        # Browsers send scheme and host in lower case; the comparison is exact.
        return [o.strip().rstrip("/").lower() for o in self.cors_origins.split(",") if o.strip()]

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
    def _origins_are_origins(self) -> ServiceSettings:
        for origin in self.cors_origin_lijst():
            parts = urlsplit(origin)
            # A named origin only: "*" or a pattern would let every page on the web call in.
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or "*" in origin
                or parts.path
                or parts.query
                or parts.fragment
                or parts.username
            ):
                raise ValueError(
                    f"BODEMREGIE_CORS_ORIGINS: {origin!r} is not an origin such as "
                    "https://kaart.example.nl (scheme, host and optional port, no wildcard)"
                )
            if self.mode is Mode.PRODUCTION and parts.scheme != "https":
                raise ValueError(f"BODEMREGIE_CORS_ORIGINS: {origin!r} must be https in production")
        return self

    @model_validator(mode="after")
    def _tokens_are_safe(self) -> ServiceSettings:
        if self.mode is Mode.PRODUCTION:
            self._production_is_strict()
        elif len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            # HS256 with a short secret can be brute-forced offline from one token.
            raise ValueError(f"BODEMREGIE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        return self

    def _production_is_strict(self) -> None:
        if not (self.jwks_url or self.jwks_file):
            raise ValueError("production mode verifies RS256 tokens: set BODEMREGIE_JWKS_URL")
        if self.jwks_url and not _is_https(self.jwks_url):
            # Keys fetched over plain http can be swapped on the way: then anyone signs tokens.
            raise ValueError("BODEMREGIE_JWKS_URL must be an https URL in production mode")
        if not (self.jwt_issuer and self.jwt_audience):
            raise ValueError(
                "production mode checks iss and aud: set BODEMREGIE_JWT_ISSUER and "
                "BODEMREGIE_JWT_AUDIENCE"
            )
        if "jwt_secret" in self.model_fields_set and self.jwt_secret == DEFAULT_DEV_SECRET:
            raise ValueError("production mode refuses the development secret")
        # Production never verifies HS256, so no secret is kept that could be used by mistake.
        self.jwt_secret = ""


def _is_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname)


def default_sqlite_url(service: str) -> str:
    """The embedded default database of a service: a SQLite file under the ignored ``var/``."""
    path = PROJECT_ROOT / "var" / "data" / f"{service}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
