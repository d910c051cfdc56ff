"""Event-sourced aggregates and their repository, shared by locaties and kennis.

An aggregate's state is only ever changed by applying events: commands record new events
(``_record``), loading replays stored ones (``replay``). Events are frozen dataclasses
registered by their type name, so the payload stored is ``dataclasses.asdict(event)``.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from shared.eventstore import EventMetadata, EventStore, NewEvent, RecordedEvent

# The business time of an event whose unit of work stamps it with its clock on saving
# (``shared/unit_of_work.py``): for commands that have no date of their own.
UNSTAMPED_AT = datetime.min.replace(tzinfo=UTC)


class DomainEvent(Protocol):
    TYPE: ClassVar[str]


E = TypeVar("E")


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventRegistry:
    """Maps type names to event classes and back; upcasters lift old schema versions."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Any]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self.current_versions: dict[str, int] = {}

    def register(self, cls: type[E]) -> type[E]:
        name = cls.TYPE  # type: ignore[attr-defined]
        self._classes[name] = cls
        self.current_versions.setdefault(name, 1)
        return cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function lifting ``event_type`` data from ``from_version`` to the next."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = fn
            self.current_versions[event_type] = max(
                self.current_versions.get(event_type, 1), from_version + 1
            )
            return fn

        return decorate

    def upcast(self, event_type: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
        while (event_type, schema_version) in self._upcasters:
            data = self._upcasters[(event_type, schema_version)](data)
            schema_version += 1
        return data

    def decode(self, event_type: str, schema_version: int, data: dict[str, Any]) -> Any:
        cls = self._classes.get(event_type)
        if cls is None:
            raise KeyError(f"unknown event type {event_type!r}")
        return _from_dict(cls, self.upcast(event_type, schema_version, data))

    def encode(self, event: Any) -> tuple[str, int, dict[str, Any]]:
        name = type(event).TYPE
        return name, self.current_versions.get(name, 1), _to_dict(event)


# Per event class its field names, in declaration order: ``dataclasses.fields`` builds its tuple
# anew on every call, and an import encodes every event.
_NAMEN: dict[type[Any], tuple[str, ...]] = {}


def _to_dict(event: Any) -> dict[str, Any]:
    namen = _NAMEN.get(type(event))
    if namen is None:
        namen = _NAMEN[type(event)] = tuple(f.name for f in dataclasses.fields(event))
    return {naam: _jsonable(getattr(event, naam)) for naam in namen}


def _jsonable(value: Any) -> Any:
    if type(value) in _AS_IS:  # most fields: no attribute look-up that fails and raises
        return value
    if hasattr(value, "isoformat"):  # date and datetime
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


_AS_IS = frozenset((str, int, float, bool, type(None)))

_VELDEN: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _velden(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """The fields of an event class with their resolved type hints (resolving is slow)."""
    velden = _VELDEN.get(cls)
    if velden is None:
        hints = typing.get_type_hints(cls)
        velden = _VELDEN[cls] = tuple(
            (f.name, _zonder_none(hints.get(f.name))) for f in dataclasses.fields(cls)
        )
    return velden


def _zonder_none(hint: Any) -> Any:
    """An optional date (``date | None``) is read as a date when it has a value."""
    args = typing.get_args(hint)
    if len(args) == 2 and type(None) in args:
        (ander,) = (a for a in args if a is not type(None))
        if ander in (date, datetime):
            return ander
    return hint


def _from_dict(cls: type[Any], data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for naam, hint in _velden(cls):
        if naam not in data:
            continue
        value = data[naam]
        if value is not None and (hint is date or hint == date | None):
            value = date.fromisoformat(value)
        elif value is not None and hint is datetime:
            value = datetime.fromisoformat(value)
        elif isinstance(value, list) and typing.get_origin(hint) is tuple:
            value = tuple(value)
        kwargs[naam] = value
    return cls(**kwargs)


class Aggregate:
    """Base for event-sourced aggregates. Subclasses implement ``when(event)``."""

    stream_type: ClassVar[str]
    registry: ClassVar[EventRegistry]

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self.pending: list[NewEvent] = []

    def when(self, event: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _record(
        self, event: Any, occurred_at: datetime, metadata: EventMetadata | None = None
    ) -> None:
        """Without ``metadata`` the unit of work that saves the event stamps it
        (``Repository.save``), so domain methods need not carry who asked."""
        self.when(event)
        self.version += 1
        name, schema_version, data = self.registry.encode(event)
        self.pending.append(
            NewEvent(
                event_type=name,
                data=data,
                occurred_at=occurred_at,
                metadata=metadata or UNSTAMPED,
                schema_version=schema_version,
            )
        )

    def replay(self, events: Iterable[RecordedEvent]) -> None:
        for recorded in events:
            self.when(
                self.registry.decode(recorded.event_type, recorded.schema_version, recorded.data)
            )
            self.version = recorded.version


# The metadata of an event recorded without any, until its unit of work stamps it.
UNSTAMPED = EventMetadata(actor="")


def stamp(new: list[NewEvent], metadata: EventMetadata | None) -> list[NewEvent]:
    """The events with ``metadata`` where they have none; refuses to store an unstamped one."""
    if metadata is None:
        if any(e.metadata is UNSTAMPED for e in new):
            raise ValueError("an event without metadata: its unit of work must stamp it")
        return new
    # NewEvent built directly: dataclasses.replace lists the fields on every call (an import
    # stamps every event). tests/unit/test_aggregate_stamp.py fails when NewEvent gains a field.
    return [
        NewEvent(e.event_type, e.data, e.occurred_at, metadata, e.schema_version, e.event_id)
        if e.metadata is UNSTAMPED
        else e
        for e in new
    ]


A = TypeVar("A", bound=Aggregate)


class NotFound(Exception):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(f"{aggregate_id} bestaat niet")
        self.aggregate_id = aggregate_id


class Repository(Generic[A]):
    """Loads aggregates by replaying their stream, saves their pending events."""

    def __init__(self, store: EventStore, factory: Callable[[str], A], topic: str | None) -> None:
        self._store = store
        self._factory = factory
        self._topic = topic
        self.seen: list[A] = []

    def get(self, aggregate_id: str) -> A:
        events = self._store.load(aggregate_id)
        if not events:
            raise NotFound(aggregate_id)
        aggregate = self._factory(aggregate_id)
        aggregate.replay(events)
        self.seen.append(aggregate)
        return aggregate

    def exists(self, aggregate_id: str) -> bool:
        return bool(self._store.load(aggregate_id, up_to_version=1))

    def add(self, aggregate: A) -> None:
        self.seen.append(aggregate)

    def save(self, metadata: EventMetadata | None = None) -> list[RecordedEvent]:
        """Append the pending events of every aggregate touched (optimistic concurrency),
        stamped with ``metadata`` where their aggregate recorded none."""
        recorded: list[RecordedEvent] = []
        for aggregate in self.seen:
            if aggregate.pending:
                expected = aggregate.version - len(aggregate.pending)
                recorded += self._store.append(
                    aggregate.id,
                    aggregate.stream_type,
                    expected,
                    stamp(aggregate.pending, metadata),
                    self._topic,
                )
                aggregate.pending = []
        return recorded
