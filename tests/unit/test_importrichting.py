"""No import cycles between the project's modules, lazy imports inside functions included
(``auditor/cli.py`` and ``bodemregie/cli.py`` once imported each other that way). Imports only
for the type checker (``if TYPE_CHECKING:``) do not run, so they do not count."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAKKETTEN = ("auditor", "bodemregie", "shared", "services")


def _modules() -> dict[str, Path]:
    uit = {}
    for pakket in PAKKETTEN:
        for pad in (ROOT / pakket).rglob("*.py"):
            naam = ".".join(pad.relative_to(ROOT).with_suffix("").parts)
            uit[naam.removesuffix(".__init__")] = pad
    return uit


def _runtime_nodes(boom: ast.AST) -> Iterator[ast.AST]:
    for node in ast.iter_child_nodes(boom):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for kind in node.orelse for n in [kind, *_runtime_nodes(kind)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _graaf() -> dict[str, set[str]]:
    modules = _modules()
    graaf: dict[str, set[str]] = {}
    for naam, pad in modules.items():
        doelen: set[str] = set()
        for node in _runtime_nodes(ast.parse(pad.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                kandidaten = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                kandidaten = [a.name for a in node.names]
            else:
                continue
            doelen.update(k for k in kandidaten if k in modules and k != naam)
        graaf[naam] = doelen
    return graaf


def _cycli(graaf: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    laag: dict[str, int] = {}
    stapel: list[str] = []
    op_stapel: set[str] = set()
    uit: list[list[str]] = []
    for begin in sorted(graaf):
        if begin in index:
            continue
        werk = [(begin, iter(sorted(graaf[begin])))]
        index[begin] = laag[begin] = len(index)
        stapel.append(begin)
        op_stapel.add(begin)
        while werk:
            v, buren = werk[-1]
            w = next(buren, None)
            if w is not None:
                if w not in index:
                    index[w] = laag[w] = len(index)
                    stapel.append(w)
                    op_stapel.add(w)
                    werk.append((w, iter(sorted(graaf[w]))))
                elif w in op_stapel:
                    laag[v] = min(laag[v], index[w])
                continue
            werk.pop()
            if werk:
                laag[werk[-1][0]] = min(laag[werk[-1][0]], laag[v])
            if laag[v] == index[v]:
                deel = []
                while True:
                    w = stapel.pop()
                    op_stapel.discard(w)
                    deel.append(w)
                    if w == v:
                        break
                if len(deel) > 1:
                    uit.append(sorted(deel))
    return uit


def test_geen_importcycli_tussen_modules() -> None:
    assert _cycli(_graaf()) == []


def test_de_detector_vindt_een_cyclus() -> None:
    assert _cycli({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_audit_cli_laadt_de_bodemregie_cli_niet() -> None:
    """``bodemregie audit`` on its own, in a fresh interpreter: the auditor's entry point runs
    without loading bodemregie/cli.py (which imports the auditor's parser)."""
    script = (
        "import sys\n"
        "from auditor.cli import main\n"
        "try:\n"
        "    main(['sleutel', '--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "assert 'bodemregie.cli' not in sys.modules, 'auditor.cli loaded bodemregie.cli'\n"
    )
    klaar = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert klaar.returncode == 0, klaar.stderr
