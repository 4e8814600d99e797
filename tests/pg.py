"""A throwaway PostgreSQL server for the lake tests: the catalog of a DuckLake.

:func:`postgres` (session scope) starts one with ``scripts/lake.sh start DIR`` on 127.0.0.1,
on a free port, in a temporary folder outside the repository (as root the cluster is owned
by the ``postgres`` user and the server runs as that user, which the folder must let in),
and stops it and removes the folder at the end of the session. Each test then takes a lake
of its own: :meth:`PostgresServer.new_lake` creates a database on that server and a data
folder, and returns the two settings that select it. :func:`lake_store` is the
``CLAIMS_STORE`` string of the server's database ``lake``.

A test module uses them by importing them (``from tests.pg import lake_store, postgres``).
Without PostgreSQL (no ``/usr/lib/postgresql/*/bin/initdb``; ``make postgres`` installs it)
the tests that use them are skipped, saying so.

A session killed before its end (kill -9, a CI timeout) cannot stop its server. So each
session records its server's folder under :data:`RECORDS`, named by the session's process
id, and the next session that starts a server first stops every recorded server whose
session is gone (:func:`stop_leftovers`: ``pg_ctl stop -m immediate`` on the recorded
cluster, checked against the server's own ``postmaster.pid``) and removes its folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAKE_SCRIPT = ROOT / "scripts" / "lake.sh"
# one file per test session that runs a server: named by its pid, holding the server's folder
RECORDS = Path(tempfile.gettempdir()) / "claims-tests-postgres"


def pg_bin() -> Path | None:
    """The folder of PostgreSQL's programs: $PG_BIN, else the newest Debian install."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (free a moment ago)."""
    return free_port()


@dataclass
class PostgresServer:
    folder: Path
    port: int
    bin: Path

    def store(self, database: str = "lake") -> str:
        """The ``CLAIMS_STORE`` value of a DuckLake whose catalog is ``database`` here."""
        return f"ducklake:postgres:dbname={database} host=127.0.0.1 port={self.port} user=postgres"

    def create_database(self, name: str) -> None:
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                       check=True, capture_output=True, timeout=60)

    def psql(self, database: str, sql: str) -> str:
        """One statement through psql (the catalog's own tables, for the tests' checks)."""
        proc = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                               "-d", database, "-Atqc", sql], check=True, capture_output=True, text=True, timeout=60)
        return proc.stdout

    def new_lake(self, name: str, data_root: Path) -> dict[str, str]:
        """A new, empty lake: database ``name`` on this server, its files in ``data_root/name/``.
        Returns the environment that selects it."""
        self.create_database(name)
        data = data_root / name
        data.mkdir(parents=True, exist_ok=True)
        return {"CLAIMS_STORE": self.store(name), "CLAIMS_LAKE_DATA_PATH": f"{data}/"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _as_postgres(command: list[str]) -> list[str]:
    """``command`` as the server's user: ``postgres`` when we are root (lake.sh does the same)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _serving(cluster: Path) -> bool:
    """Whether a postmaster runs for ``cluster``: its ``postmaster.pid`` names a live process
    and this very data folder (so a reused pid or another cluster is never stopped)."""
    try:
        lines = (cluster / "postmaster.pid").read_text().splitlines()
    except OSError:
        return False
    return len(lines) > 1 and lines[0].strip().isdigit() and _alive(int(lines[0])) and \
        Path(lines[1].strip()).resolve() == cluster.resolve()


def record_server(folder: Path, session_pid: int | None = None) -> Path:
    """Note that this session (``session_pid``, default this process) runs a server in ``folder``."""
    RECORDS.mkdir(exist_ok=True)
    record = RECORDS / str(session_pid or os.getpid())
    record.write_text(str(folder), encoding="utf-8")
    return record


def stop_leftovers(binary: Path) -> list[Path]:
    """Stop the servers of sessions that ended without stopping them, remove their folders and
    records; returns the folders. A session still running keeps its server."""
    stopped: list[Path] = []
    for record in sorted(RECORDS.glob("*")) if RECORDS.is_dir() else []:
        if not record.name.isdigit() or _alive(int(record.name)):
            continue
        folder = Path(record.read_text(encoding="utf-8").strip())
        cluster = folder / "pg"
        if _serving(cluster):
            subprocess.run(_as_postgres([str(binary / "pg_ctl"), "stop", "-D", str(cluster), "-m", "immediate",
                                         "-w", "-t", "60"]), check=False, capture_output=True, timeout=120)
        if folder.name.startswith("claims-pg-"):  # only what this module made
            shutil.rmtree(folder, ignore_errors=True)
        record.unlink(missing_ok=True)
        stopped.append(folder)
    return stopped


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server on 127.0.0.1 for this session (skipped where none is installed)."""
    binary = pg_bin()
    if binary is None or not (binary / "initdb").exists():
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): `make postgres` installs it")
    # Outside pytest's temp folders: those are private to the user, and as root the server
    # runs as `postgres`, which must reach its cluster folder.
    stop_leftovers(binary)
    folder = Path(tempfile.mkdtemp(prefix="claims-pg-"))
    folder.chmod(0o755)
    record = record_server(folder)
    env = {**os.environ, "LAKE_PORT": str(free_port()), "PG_BIN": str(binary)}
    try:
        started = subprocess.run([str(LAKE_SCRIPT), "start", str(folder)], check=False, env=env, capture_output=True, text=True,
                                 timeout=180)
        if started.returncode != 0:
            raise AssertionError(f"scripts/lake.sh start failed: {started.stdout}{started.stderr}")
        server = PostgresServer(folder, int((folder / "port").read_text().strip()), binary)
        assert server.store() in started.stdout, started.stdout  # the exports it prints name this server
        yield server
    finally:
        subprocess.run([str(LAKE_SCRIPT), "stop", str(folder)], check=False, env=env, capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
        record.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def lake_store(postgres: PostgresServer) -> str:
    """``CLAIMS_STORE`` of the session server's database ``lake`` (created by the script)."""
    return postgres.store("lake")
