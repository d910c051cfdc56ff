"""The server secret of the person store, as a setting of the services that keep one."""

from __future__ import annotations

import os
import secrets

from pydantic import model_validator

from shared.privacy.sleutels import Sleutelring
from shared.settings import PROJECT_ROOT, Mode, ServiceSettings

DEV_GEHEIM = PROJECT_ROOT / "var" / "privacy" / "geheim"


class PrivacySettings(ServiceSettings):
    """``BODEMREGIE_PRIVACY_GEHEIM`` (hex, at least 16 bytes) keys the login lookup and wraps
    the per-person keys. Every service and the ``privacy`` command of one deployment use the
    same secret. In development an empty value means a random secret made once under ``var/``."""

    privacy_geheim: str = ""

    @model_validator(mode="after")
    def _production_needs_secret(self) -> PrivacySettings:
        if self.mode is Mode.PRODUCTION and not self.privacy_geheim:
            raise ValueError("production mode needs BODEMREGIE_PRIVACY_GEHEIM (hex)")
        return self

    def sleutelring(self) -> Sleutelring:
        if self.privacy_geheim:
            return Sleutelring.uit_geheim(bytes.fromhex(self.privacy_geheim))
        return Sleutelring.uit_geheim(bytes.fromhex(_dev_geheim()))


def _dev_geheim() -> str:
    if not DEV_GEHEIM.exists():
        DEV_GEHEIM.parent.mkdir(parents=True, exist_ok=True)
        tijdelijk = DEV_GEHEIM.with_name(f".geheim-{os.getpid()}-{secrets.token_hex(4)}")
        # Created 0600 and exclusively: never readable by others, not even before a chmod.
        fd = os.open(tijdelijk, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        # link() is atomic and refuses an existing name: two services starting at once end up
        # with one secret, and nobody reads a half-written file.
        try:
            os.link(tijdelijk, DEV_GEHEIM)
        except FileExistsError:
            pass
        finally:
            tijdelijk.unlink()
    return DEV_GEHEIM.read_text().strip()
