"""``claims serve``: the HTTP API against a real uvicorn server on 127.0.0.1 (a thread of this
process, the library's app; and once the command itself, in a subprocess).

Every endpoint; failures as one ``{"error": ...}`` body in the CLI's words; bad JSON; an
over-size body (by its length and sent in chunks); a URL to a loopback address refused
before any request (the local server it names sees none); the token; the time limit; and
20 checks sent at once to one store, every run and verdict of them stored.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pytest_httpserver import HTTPServer

from claims.api import ClaimsService, create_app, listen
from claims.settings import Settings, load_settings
from claims.store import Store
from tests.conftest import CORPUS, ROOT, SEED, cli_env, one_error, run_cli

LIMIT = 200_000  # serve.max_request_bytes in these tests


def _settings(db: Path, **serve: Any) -> Settings:
    return load_settings(None, db=str(db), sources={"corpus": {"path": str(CORPUS)}},
                         serve={"max_request_bytes": LIMIT, "request_timeout": 600, **serve})


@contextmanager
def running(settings: Settings) -> Iterator[tuple[str, ClaimsService]]:
    """The API on a free port of 127.0.0.1, served by uvicorn on a thread."""
    service = ClaimsService(settings)
    sock = listen("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(service), log_config=None, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", service
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()
        service.close()


def _client(base: str, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=600, trust_env=False, headers=headers)


def _runs_and_verdicts(db: Path) -> tuple[int, int]:
    with Store(db).connect(read_only=True) as con:
        runs = con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchall()[0][0]
        verdicts = con.execute("SELECT count(*) FROM verdicts").fetchall()[0][0]
    return int(runs), int(verdicts)


def _error(response: httpx.Response, status: int) -> str:
    """The one-line message of a refused request (its status, one ``error`` field)."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str) and "\n" not in body["error"], body
    return str(body["error"])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One server on a new database for the module (its models load on the first check)."""
    db = tmp_path_factory.mktemp("serve") / "claims.duckdb"
    with running(_settings(db)) as (base, _):
        yield base, db


def test_health_and_the_openapi_page(api: tuple[str, Path]) -> None:
    base, db = api
    with _client(base) as client:
        health = client.get("/health").json()
        assert health["status"] == "ok" and health["store"] == str(db)
        schema = client.get("/openapi.json").json()
        assert {"/check", "/verdicts", "/claims/{claim_id}", "/report", "/health"} <= set(schema["paths"])
        assert "Error" in schema["components"]["schemas"]
        docs = client.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()


@pytest.mark.slow
def test_check_answers_as_check_json_prints_and_the_reads_find_it(api: tuple[str, Path], main_job_db: Path) -> None:
    """The seed article through POST /check gives the verdicts the CLI printed for it
    (the main job, `claims check --json`, on another new database); then every read."""
    base, db = api
    printed = json.loads((main_job_db.parent / "check.json").read_text(encoding="utf-8"))
    with _client(base) as client:
        response = client.post("/check", json={"text": SEED.read_text(encoding="utf-8")})
        assert response.status_code == 200, response.text
        answered = response.json()
        assert set(answered) == set(printed) == {"run_id", "verdicts", "failed_sources"}
        assert answered["verdicts"] == printed["verdicts"] and answered["failed_sources"] == []
        assert client.get("/health").json()["models_loaded"] is True

        listed = client.get("/verdicts").json()
        assert listed["count"] == len(printed["verdicts"]) == len(listed["verdicts"])
        assert {r["claim"] for r in listed["verdicts"]} == {r["claim"] for r in printed["verdicts"]}
        refuted = client.get("/verdicts", params={"label": "refuted"}).json()["verdicts"]
        assert refuted and {r["label"] for r in refuted} == {"refuted"}
        assert len(refuted) == sum(r["verdict"] == "refuted" for r in printed["verdicts"])
        assert client.get("/verdicts", params={"since": "2999-01-01"}).json()["count"] == 0
        assert client.get("/verdicts", params={"limit": 2}).json()["count"] == 2
        assert "not a date" in _error(client.get("/verdicts", params={"since": "yesterday"}), 400)
        assert "label" in _error(client.get("/verdicts", params={"label": "true"}), 400)

        figure = next(r for r in listed["verdicts"] if "8,000" in r["claim"])
        detail = client.get(f"/claims/{figure['claim_id']}").json()
        assert detail["claim"]["claim"] == figure["claim"] and detail["claim"]["label"] == figure["label"]
        assert detail["evidence"] and {e["claim_id"] for e in detail["evidence"]} == {figure["claim_id"]}
        assert [e["rank"] for e in detail["evidence"]] == sorted(e["rank"] for e in detail["evidence"])
        assert "GET /verdicts" in _error(client.get("/claims/no-such-claim"), 404)

        report = client.get("/report", params={"title": "Desk"})
        assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
        assert "<title>Desk</title>" in report.text and "8,000" in report.text
    assert _runs_and_verdicts(db) == (1, len(printed["verdicts"]))


def test_bad_requests_get_one_error_body(api: tuple[str, Path]) -> None:
    base, db = api
    before = _runs_and_verdicts(db)
    with _client(base) as client:
        bad = client.post("/check", content=b'{"text": "8,000 soldiers', headers={"content-type": "application/json"})
        assert "not valid JSON" in _error(bad, 400)
        assert "text or as url" in _error(client.post("/check", json={}), 400)
        assert "text or as url" in _error(client.post("/check", json={"text": "a", "url": "https://a.example/"}), 400)
        assert "is not a field" in _error(client.post("/check", json={"text": "a", "verdict": "supported"}), 400)
        assert "has no text" in _error(client.post("/check", json={"text": "   "}), 400)
        published = _error(client.post("/check", json={"text": "Some words here.", "published": "2024-13-40"}), 400)
        assert published == "published '2024-13-40' is not a date: use YYYY-MM-DD"
        assert "no such endpoint" in _error(client.get("/nothing"), 404)
        assert "not allowed" in _error(client.delete("/check"), 405)
    assert _runs_and_verdicts(db) == before  # nothing was run


def test_an_over_size_body_is_refused_unread(api: tuple[str, Path]) -> None:
    base, db = api
    before = _runs_and_verdicts(db)
    text = json.dumps({"text": "8,000 soldiers were sent. " * (LIMIT // 20)}).encode()
    assert len(text) > LIMIT

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts what arrives
        for start in range(0, len(text), 16_384):
            yield text[start:start + 16_384]

    with _client(base) as client:
        by_length = client.post("/check", content=text, headers={"content-type": "application/json"})
        assert "200,000-byte limit" in _error(by_length, 413)
        chunked = client.post("/check", content=chunks(), headers={"content-type": "application/json"})
        assert "200,000-byte limit" in _error(chunked, 413)
    assert _runs_and_verdicts(db) == before


def test_a_url_to_a_loopback_address_is_refused_as_the_cli_refuses_it(
        api: tuple[str, Path], httpserver: HTTPServer, tmp_path: Path, prefect_home: Path) -> None:
    """A local server stands at the URL (127.0.0.1, not in http.allow_private_hosts): the
    API refuses it before any request, in the words of `claims check URL`'s error line."""
    base, _db = api
    httpserver.expect_request("/story").respond_with_data("<html><body><p>8,000 soldiers.</p></body></html>",
                                                          content_type="text/html")
    url = httpserver.url_for("/story")
    with _client(base) as client:
        message = _error(client.post("/check", json={"url": url}), 400)
    assert message.startswith(f"refused {url}:") and "non-public address" in message
    cli = run_cli(["check", url], cli_env(tmp_path / "cli.duckdb", prefect_home))
    assert one_error(cli) == f"Error: {message}"
    assert httpserver.log == []  # nothing was fetched, by either


def test_the_token_is_required_when_set(tmp_path: Path) -> None:
    with running(_settings(tmp_path / "claims.duckdb", token="s3cret-token")) as (base, _), _client(base) as client:
        assert "Authorization: Bearer" in _error(client.get("/verdicts"), 401)
        assert "Authorization: Bearer" in _error(client.get("/verdicts", headers={"authorization": "Bearer no"}), 401)
        good = client.get("/verdicts", headers={"authorization": "Bearer s3cret-token"})
        assert good.status_code == 200 and good.json() == {"count": 0, "verdicts": []}
        assert client.get("/health").status_code == 200  # open: a liveness probe carries no token


def test_serving_beyond_loopback_without_a_token_is_refused(tmp_path: Path, prefect_home: Path) -> None:
    result = run_cli(["serve", "--host", "0.0.0.0", "--port", "0"], cli_env(tmp_path / "claims.duckdb", prefect_home))
    assert one_error(result) == ("Error: serve.host 0.0.0.0 is not a loopback address: set serve.token "
                                 "(CLAIMS_SERVE__TOKEN) so that requests must carry it, or serve on 127.0.0.1")
    assert not (tmp_path / "claims.duckdb").exists()  # refused before the store was opened


@pytest.mark.slow
def test_a_request_past_its_time_limit_gets_504(tmp_path: Path) -> None:
    db = tmp_path / "claims.duckdb"
    with running(_settings(db, request_timeout=0.001)) as (base, _), _client(base) as client:
        message = _error(client.post("/check", json={"text": SEED.read_text(encoding="utf-8")}), 504)
        assert "serve.request_timeout (0.001 s)" in message
        assert "serve.request_timeout" in _error(client.get("/report"), 504)
    # a check that had started went on and stored its verdicts (closing waits for it); one
    # still waiting was dropped
    runs, verdicts = _runs_and_verdicts(db)
    assert (runs == 1 and verdicts > 0) if "it goes on" in message else (runs, verdicts) == (0, 0)


ARTICLE = ("---\ntitle: Troops report {n}\noutlet: Test Wire\npublished: 2024-10-{day:02d}\n---\n"
           "Officials said on {day} October that {count:,} North Korean soldiers had arrived in Russia's "
           "Kursk region. The deployment was confirmed by South Korea's intelligence service.\n")


@pytest.mark.slow
def test_twenty_checks_at_once_on_one_store_lose_nothing(api: tuple[str, Path]) -> None:
    base, db = api
    runs_before, verdicts_before = _runs_and_verdicts(db)
    texts = [ARTICLE.format(n=n, day=10 + n, count=1_000 + 500 * n) for n in range(20)]
    with _client(base) as client, ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda text: client.post("/check", json={"text": text}), texts))
        assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses if r.status_code != 200]
        answers = [r.json() for r in responses]
        assert client.get("/health").json()["checks_waiting"] == 0
    assert len({a["run_id"] for a in answers}) == 20
    runs, verdicts = _runs_and_verdicts(db)
    assert runs == runs_before + 20
    assert verdicts == verdicts_before + sum(len(a["verdicts"]) for a in answers)
    assert sum(len(a["verdicts"]) for a in answers) >= 20  # every article has its claim
    with Store(db).connect(read_only=True) as con:
        stored = {r[0] for r in con.execute("SELECT DISTINCT run_id FROM verdicts").fetchall()}
    assert {a["run_id"] for a in answers} <= stored


@pytest.mark.slow
def test_the_command_serves_until_interrupted(tmp_path: Path, prefect_home: Path) -> None:
    """`claims serve --port 0`: loads the models, prints where it listens, answers, and
    stops on Ctrl-C (SIGINT) with exit code 0."""
    exe = str(Path(sys.executable).parent / "claims")
    proc = subprocess.Popen([exe, "serve", "--port", "0"], env=cli_env(tmp_path / "claims.duckdb", prefect_home),
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = [proc.stderr.readline() for _ in range(1)]
        while not lines[-1].startswith("serving") and lines[-1] and len(lines) < 50:
            lines.append(proc.stderr.readline())
        line = lines[-1]
        assert line.startswith("serving http://127.0.0.1:"), lines
        base = line.split()[1]
        with _client(base) as client:
            health = client.get("/health").json()
        assert health["models_loaded"] is True and health["store"] == str(tmp_path / "claims.duckdb")
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert stdout == ""
