"""The bulk append's event ids: each the UUID the constructor makes of its random bytes."""

from __future__ import annotations

import pickle
from uuid import UUID

from shared.eventstore.bulk import _uuid4s


def test_the_ids_are_the_constructor_s_version_4_uuids_with_their_text() -> None:
    ids = _uuid4s(3000)
    assert len({u for u, _ in ids}) == 3000
    for u, tekst in ids:
        echt = UUID(bytes=u.bytes, version=4)
        assert u == echt and hash(u) == hash(echt) and u.int == echt.int
        assert (u.version, u.variant, u.is_safe) == (4, echt.variant, echt.is_safe)
        assert tekst == str(u) == str(echt)
        assert UUID(tekst) == u and pickle.loads(pickle.dumps(u)) == u
