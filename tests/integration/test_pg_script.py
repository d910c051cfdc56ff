"""The project's PostgreSQL script works wherever the project is cloned.

Run as root, the cluster runs as the `postgres` system user; a clone in a directory that user
cannot enter (a 0700 temporary directory, a home under /root) used to fail at `initdb` with
"Permission denied". The script must then keep the data directory where the postgres user can
reach it, start, answer, and stop again.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("runuser") is None,
    reason="the unreachable-clone case only arises when the script runs as root",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def clone_in_private_dir() -> Iterator[Path]:
    private = Path(tempfile.mkdtemp(prefix="bodemregie-clone-"))
    private.chmod(0o700)
    clone = private / "bodemregie"
    (clone / "deploy" / "postgres").mkdir(parents=True)
    shutil.copy2(ROOT / "deploy" / "postgres" / "pg.sh", clone / "deploy" / "postgres" / "pg.sh")
    yield clone
    shutil.rmtree(private, ignore_errors=True)


def _pg(clone: Path, port: int, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(clone / "deploy" / "postgres" / "pg.sh"), command],
        env={**os.environ, "PGPORT": str(port)},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cluster_starts_from_a_clone_the_postgres_user_cannot_enter(
    clone_in_private_dir: Path,
) -> None:
    clone = clone_in_private_dir
    assert stat.S_IMODE(clone.parent.stat().st_mode) == 0o700
    assert subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(clone)]).returncode
    port = _free_port()
    started = _pg(clone, port, "start")
    try:
        assert started.returncode == 0, started.stderr
        assert _pg(clone, port, "status").returncode == 0
        answer = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-tAc", "select 1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert answer.stdout.strip() == "1", answer.stderr
    finally:
        stopped = _pg(clone, port, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert _pg(clone, port, "status").returncode != 0
    _remove_outside_data(clone)


def _remove_outside_data(clone: Path) -> Path:
    """The data directory kept outside the clone, removed so tests leave nothing behind."""
    home = Path(os.path.expanduser("~postgres"))
    digest = subprocess.run(["sha256sum"], input=str(clone), capture_output=True, text=True).stdout[
        :16
    ]
    outside = home / "bodemregie" / digest
    assert (outside / "data" / "PG_VERSION").is_file()
    shutil.rmtree(outside)
    return outside


def test_a_port_taken_by_another_cluster_is_refused(clone_in_private_dir: Path) -> None:
    """`start` with another cluster already on the port fails instead of reporting "already
    running": a chaos test that stops "its" server must not be handed someone else's."""
    clone = clone_in_private_dir
    port = _free_port()
    assert _pg(clone, port, "start").returncode == 0
    try:
        other = subprocess.run(
            [str(clone / "deploy" / "postgres" / "pg.sh"), "start"],
            env={**os.environ, "PGPORT": str(port), "PG_NAME": "postgres-other"},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert other.returncode != 0
        assert "taken by another PostgreSQL" in other.stderr
    finally:
        _pg(clone, port, "stop")
    outside = _remove_outside_data(clone)
    shutil.rmtree(outside.with_name(outside.name + "-postgres-other"), ignore_errors=True)
