"""Which principal may do what on the broker: the ACLs, as data, and applying them.

The broker refuses whatever no ACL allows (``allow.everyone.if.no.acl.found=false``) and only
``admin`` (scripts and tests) is a super user. Every grant below is an operation the service's
code performs; READ and WRITE imply DESCRIBE (metadata, offsets), so that is not granted apart.

- locaties: its relay writes ``bodem.spoedlocaties.v1`` (idempotent producer; WRITE on a topic
  also allows the producer id since Kafka 3.0, KIP-679) and reads it back to reconcile
  (publisher.last_positions, no consumer group).
- kennis: the same for ``bodem.kennis.v1``; reads ``bodem.spoedlocaties.v1`` with its consumer
  group for the koplopers, and dead-letters what it cannot process.
- rapportage: reads both event topics with its two consumer groups, dead-letters; its relay
  writes ``bodem.publicaties.v1`` (the reports it published) and reads it back to reconcile.
- auditor: reads the three event topics from offset 0 without a group (auditor/export.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    KafkaAdminClient,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
)

from shared.messaging.kafka_client import KafkaAccess
from shared.messaging.topics import DEADLETTER, KENNIS, PUBLICATIES, SPOEDLOCATIES

ADMIN = "admin"
LOCATIES = "locaties"
KENNIS_PRINCIPAL = "kennis"
RAPPORTAGE = "rapportage"
AUDITOR = "auditor"
PRINCIPALS = (ADMIN, LOCATIES, KENNIS_PRINCIPAL, RAPPORTAGE, AUDITOR)


class Resource(StrEnum):
    TOPIC = "topic"
    GROUP = "group"


class Operation(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Names:
    """The topics and consumer groups the grants are about; tests pass their own."""

    spoedlocaties: str = SPOEDLOCATIES
    kennis: str = KENNIS
    deadletter: str = DEADLETTER
    publicaties: str = PUBLICATIES
    rapportage_group: str = "rapportage"  # RapportageSettings.consumer_group
    kennis_group: str = "kennis-voortgang"  # services/kennis/bootstrap.voortgang_processor


@dataclass(frozen=True)
class Grant:
    principal: str
    operation: Operation
    resource: Resource
    name: str


def grants(names: Names = Names()) -> list[Grant]:
    """Every ALLOW rule of the deployment; there are no others."""
    t, g, r, w = Resource.TOPIC, Resource.GROUP, Operation.READ, Operation.WRITE
    return [
        Grant(LOCATIES, w, t, names.spoedlocaties),
        Grant(LOCATIES, r, t, names.spoedlocaties),
        Grant(KENNIS_PRINCIPAL, w, t, names.kennis),
        Grant(KENNIS_PRINCIPAL, r, t, names.kennis),
        Grant(KENNIS_PRINCIPAL, r, t, names.spoedlocaties),
        Grant(KENNIS_PRINCIPAL, r, g, names.kennis_group),
        Grant(KENNIS_PRINCIPAL, w, t, names.deadletter),
        Grant(RAPPORTAGE, r, t, names.spoedlocaties),
        Grant(RAPPORTAGE, r, t, names.kennis),
        Grant(RAPPORTAGE, r, g, names.rapportage_group),
        Grant(RAPPORTAGE, r, g, f"{names.rapportage_group}-kennis"),
        Grant(RAPPORTAGE, w, t, names.deadletter),
        Grant(RAPPORTAGE, w, t, names.publicaties),
        Grant(RAPPORTAGE, r, t, names.publicaties),
        Grant(AUDITOR, r, t, names.spoedlocaties),
        Grant(AUDITOR, r, t, names.kennis),
        Grant(AUDITOR, r, t, names.publicaties),
    ]


_RESOURCE_TYPES = {Resource.TOPIC: ResourceType.TOPIC, Resource.GROUP: ResourceType.GROUP}
_OPERATIONS = {Operation.READ: ACLOperation.READ, Operation.WRITE: ACLOperation.WRITE}


def _acl(grant: Grant) -> ACL:
    return ACL(
        principal=f"User:{grant.principal}",
        host="*",
        operation=_OPERATIONS[grant.operation],
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePattern(
            _RESOURCE_TYPES[grant.resource], grant.name, ACLResourcePatternType.LITERAL
        ),
    )


def _admin(kafka: KafkaAccess) -> KafkaAdminClient:
    return KafkaAdminClient(
        **kafka.client_options(), client_id="bodemregie-acls", request_timeout_ms=10_000
    )


def ensure_acls(kafka: KafkaAccess, wanted: Iterable[Grant], timeout_s: float = 15.0) -> None:
    """Create the grants (creating an existing ACL changes nothing); ``kafka`` must be admin.
    Returns once the broker shows them: the controller commits ACLs before the broker's
    authorizer has applied them, and a client starting in between would be refused."""
    wanted = set(wanted)
    admin = _admin(kafka)
    try:
        result = admin.create_acls([_acl(g) for g in wanted])
        if result.get("failed"):
            raise RuntimeError(f"the broker refused ACLs: {result['failed']}")
        deadline = time.monotonic() + timeout_s
        while missing := wanted - _held(admin, {(g.resource, g.name) for g in wanted}):
            if time.monotonic() > deadline:
                raise RuntimeError(f"ACLs not visible after {timeout_s} s: {missing}")
            time.sleep(0.2)
    finally:
        admin.close()


def _filter(resource: Resource, name: str) -> ACLFilter:
    return ACLFilter(
        principal=None,
        host="*",
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(
            _RESOURCE_TYPES[resource], name, ACLResourcePatternType.LITERAL
        ),
    )


def revoke_acls(kafka: KafkaAccess, names: Iterable[tuple[Resource, str]]) -> None:
    """Drop every ACL on these resources (tests clean up the grants for their own topics)."""
    admin = _admin(kafka)
    try:
        admin.delete_acls([_filter(resource, name) for resource, name in names])
    finally:
        admin.close()


def granted(kafka: KafkaAccess, resources: Iterable[tuple[Resource, str]]) -> set[Grant]:
    """Every ALLOW rule the broker holds on these resources (to compare with :func:`grants`);
    an ACL this module never grants (a DENY, another operation) is an error."""
    admin = _admin(kafka)
    try:
        return _held(admin, resources, strict=True)
    finally:
        admin.close()


def _held(
    admin: KafkaAdminClient, resources: Iterable[tuple[Resource, str]], strict: bool = False
) -> set[Grant]:
    by_operation = {v: k for k, v in _OPERATIONS.items()}
    result = set()
    for resource, name in resources:
        acls, error = admin.describe_acls(_filter(resource, name))
        if error.errno:
            raise RuntimeError(f"describe ACLs failed: {error}")
        for acl in acls:
            if acl.permission_type != ACLPermissionType.ALLOW or acl.operation not in by_operation:
                if strict:
                    raise ValueError(f"unexpected ACL on {resource} {name}: {acl}")
                continue
            result.add(
                Grant(
                    acl.principal.removeprefix("User:"),
                    by_operation[acl.operation],
                    resource,
                    acl.resource_pattern.resource_name,
                )
            )
    return result
