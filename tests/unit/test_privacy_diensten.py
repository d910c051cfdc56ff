"""The person store's use cases ask the policy with the caller; no route asks it itself."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from shared import beleid
from shared.auth import Principal, Rol
from shared.privacy import diensten

ROOT = Path(__file__).resolve().parents[2]
PSEUDONIEM = "prs-00000000-0000-4000-8000-000000000000"


class _GeenOpslag:
    """A refused call must not reach the store."""

    def __getattr__(self, naam: str) -> Any:
        raise AssertionError(f"the store was used ({naam}) before the policy allowed it")


@pytest.mark.parametrize("rol", [r for r in Rol if r is not Rol.UITVOERINGSPROGRAMMA])
def test_only_the_programme_reads_erases_and_sees_logins(rol: Rol) -> None:
    wie = Principal("iemand@zh.nl", rol, "ZH" if rol is Rol.BEVOEGD_GEZAG else None)
    store: Any = _GeenOpslag()
    with pytest.raises(beleid.GeenToegang):
        diensten.lees(store, wie, PSEUDONIEM)
    with pytest.raises(beleid.GeenToegang):
        diensten.vergeet(store, wie, PSEUDONIEM)
    with pytest.raises(beleid.GeenToegang):
        diensten.vergeet_op_login(store, wie, "jan@zh.nl")
    assert not diensten.toont_logins(wie)
    assert diensten.toont_logins(Principal("up@bodemregie.nl", Rol.UITVOERINGSPROGRAMMA, None))


def _vraagt_beleid(pad: Path) -> list[str]:
    """Calls of beleid.controleer / beleid.weigering in a module (openapi_extra is metadata)."""
    return [
        f"{pad.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(ast.parse(pad.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("controleer", "weigering")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "beleid"
    ]


def test_no_route_asks_the_policy_itself() -> None:
    routes = [ROOT / "shared" / "privacy" / "routes.py"]
    routes += sorted((ROOT / "services").glob("*/entrypoints/*.py"))
    assert [plek for pad in routes for plek in _vraagt_beleid(pad)] == []
