"""Read-only JSON containers for published reports: a cached report is shared by every request
that asks for it, so nothing may change it after it is built.

Subclasses of ``dict`` and ``list`` (not ``MappingProxyType``/tuples) so that the JSON encoder
writes them as it always did (the digest is computed over exactly that) and they compare equal
to plain JSON values; a copy (``copy.copy``/``deepcopy``, ``{**d}``, ``list(x)``) is a plain,
mutable one.
"""

from __future__ import annotations

from typing import Any, NoReturn


def _read_only(*_: Any, **__: Any) -> NoReturn:
    raise TypeError("a published report is read-only; build a new one (dataclasses.replace)")


class FrozenDict(dict[str, Any]):
    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        raise TypeError("unhashable type: 'FrozenDict'")


class FrozenList(list[Any]):
    __setitem__ = __delitem__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only
    __iadd__ = __imul__ = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        raise TypeError("unhashable type: 'FrozenList'")


def freeze(value: Any) -> Any:
    """``value`` with every dict, list and tuple inside it made read-only (tuples stay tuples)."""
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    if isinstance(value, tuple):
        return tuple(freeze(v) for v in value)
    return value
