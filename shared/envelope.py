"""CloudEvents 1.0 envelope in structured JSON mode, following the NL GOV profile.

``time`` is the record time, ``subject`` the aggregate id and ``sequence`` the stream version
(as a string, as the spec's sequence extension asks). Business time and metadata travel as
extension attributes whose names are lowercase alphanumerics of at most 20 characters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.eventstore.model import RecordedEvent

SPECVERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
TYPE_PREFIX = "nl.overheid.bodem."
_EXTENSION_NAME = re.compile(r"^[a-z0-9]{1,20}$")
_TYPE = re.compile(r"^[a-z0-9]+(\.[a-z0-9-]+)+$")
_REQUIRED = ("id", "source", "specversion", "type")
_CORE = {
    "id",
    "source",
    "specversion",
    "type",
    "time",
    "subject",
    "datacontenttype",
    "data",
    "dataschema",
}


class EnvelopeError(ValueError):
    """The message is not a valid CloudEvent for this project."""


def source_urn(oin: str, system: str) -> str:
    return f"urn:nld:oin:{oin}:systeem:{system}"


def event_type_name(local_name: str) -> str:
    """``spoedlocatie-status-gewijzigd`` -> ``nl.overheid.bodem.spoedlocatie-status-gewijzigd``."""
    return local_name if local_name.startswith(TYPE_PREFIX) else TYPE_PREFIX + local_name


@dataclass(frozen=True)
class CloudEvent:
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: dict[str, Any]
    sequence: int
    extensions: dict[str, str | int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "specversion": SPECVERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "sequence": str(self.sequence),
        }
        for name, value in self.extensions.items():
            if not _EXTENSION_NAME.match(name):
                raise EnvelopeError(f"extension name {name!r} is not lowercase alphanumeric <= 20")
            out[name] = value
        out["data"] = self.data
        return out

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=False).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise EnvelopeError(f"not JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise EnvelopeError("a CloudEvent is a JSON object")
        return cls.from_dict(doc)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> CloudEvent:
        missing = [k for k in _REQUIRED if not doc.get(k)]
        if missing:
            raise EnvelopeError(f"missing attributes: {', '.join(missing)}")
        if doc["specversion"] != SPECVERSION:
            raise EnvelopeError(f"specversion {doc['specversion']!r} is not {SPECVERSION}")
        if not str(doc["source"]).startswith("urn:"):
            raise EnvelopeError("source must be a URN")
        if not _TYPE.match(str(doc["type"])):
            raise EnvelopeError(f"type {doc['type']!r} is not reverse-DNS")
        data = doc.get("data")
        if not isinstance(data, dict):
            raise EnvelopeError("data must be a JSON object")
        try:
            time = datetime.fromisoformat(str(doc["time"]).replace("Z", "+00:00"))
            sequence = int(doc["sequence"])
        except (KeyError, ValueError, TypeError) as exc:
            raise EnvelopeError(f"invalid time or sequence: {exc}") from exc
        extensions = {k: v for k, v in doc.items() if k not in _CORE | {"sequence"}}
        return cls(
            id=str(doc["id"]),
            source=str(doc["source"]),
            type=str(doc["type"]),
            subject=str(doc.get("subject", "")),
            time=time,
            data=data,
            sequence=sequence,
            extensions=extensions,
        )


def from_recorded(
    event: RecordedEvent, source: str, store_id: str, zegel: tuple[str, str, str] | None = None
) -> CloudEvent:
    """Wrap a stored event. Extensions carry what a consumer or auditor needs beyond the core:
    business time, global position, store identity, schema version, the metadata (``actor`` is
    a pseudonym; who it is lives in the erasable person store, never in the log) and, once the
    event is sealed, ``zegel`` = (hash, prevhash, streamprevhash) of the hash chain."""
    meta = event.metadata
    ext: dict[str, str | int] = {
        "occurredat": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "position": event.position,
        "storeid": store_id,
        "streamtype": event.stream_type,
        "schemaversion": event.schema_version,
        "actor": meta.actor,
    }
    for name, value in (
        ("organisation", meta.organisation),
        ("role", meta.role),
        ("correlationid", meta.correlation_id),
        ("causationid", meta.causation_id),
    ):
        if value:
            ext[name] = value
    if zegel is not None:
        ext["hash"], ext["prevhash"], ext["streamprevhash"] = zegel
    return CloudEvent(
        id=str(event.event_id),
        source=source,
        type=event_type_name(event.event_type),
        subject=event.stream_id,
        time=event.recorded_at,
        data=event.data,
        sequence=event.version,
        extensions=ext,
    )
