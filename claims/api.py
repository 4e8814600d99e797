"""The HTTP API behind ``claims serve``: the pipeline with its models kept loaded, on the
store the commands use.

    POST /check         {"text": ...} or {"url": ...} (and title, outlet, published): the
                        verdicts, as ``claims check --json`` prints them
    GET  /verdicts      the latest verdicts, newest first (?label=, ?since=, ?limit=)
    GET  /claims/{id}   a claim's latest verdict and its cited evidence
    GET  /report        the HTML report, as ``claims report`` writes it (?since=, ?title=)
    GET  /health        that it answers, which store, whether the models are loaded
    GET  /docs          the OpenAPI page (``/openapi.json``: the schema)

Every failure answers with one JSON body, ``{"error": "..."}``, in the words of the CLI's
``Error:`` line (:class:`~claims.errors.ClaimsError` messages, a lake's password masked).

How requests share the store: checks run one at a time on one worker thread (a single
writer: a check already uses both cores here, and a DuckDB file takes one writer at a
time), in the order they came; reads run beside them, each on a read-only connection that
waits at most for one short write transaction (a process's connections to one file take
turns, :mod:`claims.store.connection`), never for a whole check. A URL is fetched by the
same fetcher as ``claims check URL``, so private and loopback addresses are refused before
any request (:mod:`claims.sources.safety`). Bounds: a request body over
``serve.max_request_bytes`` is refused unread (413), and a request that takes longer than
``serve.request_timeout`` is answered 504 (a check already running goes on and stores its
verdicts; one still waiting is dropped). Bound to 127.0.0.1 unless told otherwise; bound
elsewhere, ``serve.token`` is required, and then every request but ``/health`` and the
OpenAPI page must carry ``Authorization: Bearer TOKEN``.

FastAPI and uvicorn (installed with Prefect, declared here too) were chosen over a
hand-written server: validation, the OpenAPI page and HTTP/1.1 handling come with them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import secrets
import socket
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, Literal, TypeVar

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claims.embed import embedder_for
from claims.errors import (
    ClaimsError,
    ConfigError,
    DatabaseLockedError,
    FetchError,
    InputError,
    RefusedURLError,
)
from claims.extract import extract_claims
from claims.ingest import document_from_text, read_input
from claims.models import Document
from claims.pipeline import stance_model_for, verdict_payload, verify
from claims.report.html import load_report, render_report
from claims.settings import Settings, redact_store, require_sources, store_label
from claims.sources.text import over_limit
from claims.store import Store, open_store

__all__ = ["CheckRequest", "ClaimsService", "Error", "create_app", "listen", "require_token", "serve"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
Label = Literal["supported", "refuted", "conflicting", "not_enough_evidence"]  # a verdict's labels


class Error(BaseModel):
    """Every failure's body: one line saying what went wrong and what to do."""

    error: str


class CheckRequest(BaseModel):
    """One article: its text (front matter allowed, as in a file) or an http(s) URL."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # YYYY-MM-DD: the claims' date


class ApiError(Exception):
    """A refusal with its HTTP status and its one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _status(exc: ClaimsError) -> int:
    """The HTTP status of a library error."""
    if isinstance(exc, (InputError, RefusedURLError)):
        return 400  # the request's own article or URL
    if isinstance(exc, FetchError):
        return 502  # the URL's server failed
    if isinstance(exc, DatabaseLockedError):
        return 503  # another process holds the store: try again
    return 500


def _json(content: Any, status: int = 200) -> Response:
    """JSON as ``claims check --json`` writes it (dates and other values as their text)."""
    return Response(json.dumps(content, default=str), status_code=status, media_type="application/json")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps({"error": redact_store(message)}), status_code=status,
                    media_type="application/json", headers=headers)


def _date(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} {value!r} is not a date: use YYYY-MM-DD (or YYYY-MM-DDTHH:MM)") from None


def require_token(settings: Settings, host: str | None = None) -> None:
    """Refuse to listen on a non-loopback ``host`` (default ``serve.host``) without
    ``serve.token``: anyone who reaches the port could run checks and read the store."""
    host = host or settings.serve.host
    if settings.serve.token is not None and settings.serve.token.get_secret_value():
        return
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ConfigError(f"serve.host {host} is not a loopback address: set serve.token (CLAIMS_SERVE__TOKEN) "
                          "so that requests must carry it, or serve on 127.0.0.1")


class ClaimsService:
    """The library calls behind the API, on one store, with the models loaded once."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        require_sources(settings)  # a missing corpus: one line at start, not a failure per request
        self.settings = settings
        self.store = store or open_store(settings)  # created and migrated once
        self.waiting = 0  # checks received and not yet finished
        self._waiting_lock = threading.Lock()
        # the single writer: checks take turns on this one thread
        self.checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claims-check")

    @property
    def label(self) -> str:
        return store_label(self.settings)

    def warm(self) -> None:
        """Load the embedder, the check-worthiness scorer and the stance model now, so the
        first request does not wait for them (an extraction of one sentence, nothing stored)."""
        embedder = embedder_for(self.settings)
        sample = Document.make("Officials said on Monday that 8,000 soldiers had been sent to the border.")
        extract_claims(sample, embedder, self.settings)
        stance_model_for(self.settings)

    def models_loaded(self) -> bool:
        return embedder_for(self.settings).is_loaded

    def check(self, request: CheckRequest) -> dict[str, Any]:
        """Verify one article into the store; its verdicts as ``claims check --json`` has them."""
        settings = self.settings
        if request.published is not None:
            try:
                date.fromisoformat(request.published)
            except ValueError:
                raise InputError(f"published {request.published!r} is not a date: use YYYY-MM-DD") from None
        given = {"title": request.title, "outlet": request.outlet, "published": request.published}
        meta: dict[str, Any] = {k: v for k, v in given.items() if v}
        if request.url is not None:
            # the fetcher's own checks: http(s) only, no private or loopback address (unless allowed)
            document = read_input(request.url, settings, **meta)
        else:
            assert request.text is not None  # checked by the route
            size = len(request.text.encode("utf-8"))
            if size > settings.max_input_bytes:
                raise over_limit("the request's text", settings.max_input_bytes, size)
            document = document_from_text(request.text, name="the request's text", **meta)
        report = verify(document, settings, store=self.store, source=request.url)
        return verdict_payload(report)

    async def check_within(self, request: CheckRequest, timeout: float) -> dict[str, Any]:
        """:meth:`check` on the single writer thread, after the checks sent before it,
        answered within ``timeout`` seconds (504 past it: dropped if it had not started,
        else it goes on and stores its verdicts)."""
        started = threading.Event()

        def run() -> dict[str, Any]:
            started.set()
            try:
                return self.check(request)
            finally:
                self._count(-1)

        self._count(+1)
        future = asyncio.get_running_loop().run_in_executor(self.checks, run)
        try:
            return await asyncio.wait_for(future, timeout=timeout)
        except TimeoutError:
            if not started.is_set():  # cancelled before it ran: nothing of it was stored
                self._count(-1)
                raise ApiError(504, f"the check waited longer than serve.request_timeout ({timeout:g} s) for "
                                    "the checks before it and was dropped: send it again later, or raise "
                                    "serve.request_timeout (CLAIMS_SERVE__REQUEST_TIMEOUT)") from None
            raise ApiError(504, f"the check took longer than serve.request_timeout ({timeout:g} s): it goes on, "
                                "and its verdicts are stored when it ends (GET /verdicts); raise "
                                "serve.request_timeout (CLAIMS_SERVE__REQUEST_TIMEOUT)") from None

    def _count(self, change: int) -> None:
        with self._waiting_lock:
            self.waiting += change

    def verdicts(self, label: str | None, since: datetime | None, limit: int) -> list[dict[str, Any]]:
        return self.store.latest_verdict_rows(label=label, since=since, limit=limit)

    def claim(self, claim_id: str) -> dict[str, Any]:
        row, evidence = self.store.claim_rows(claim_id)
        if row is None:
            raise ApiError(404, f"no verdict for claim {claim_id!r}: list the claims with GET /verdicts")
        return {"claim": row, "evidence": evidence}

    def report(self, since: datetime | None, title: str) -> str:
        return render_report(load_report(self.store, since), title)

    def close(self) -> None:
        self.checks.shutdown(wait=True, cancel_futures=True)


class _BodyLimit:
    """Refuse a request body over ``limit`` bytes before the application reads it: by its
    Content-Length, or, sent in chunks, as soon as the chunks pass it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _refuse(self) -> Response:
        return _error(413, f"the request body is over the {self.limit:,}-byte limit: send a shorter article, "
                           "or raise serve.max_request_bytes (CLAIMS_SERVE__MAX_REQUEST_BYTES)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse()(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self._refuse()(scope, receive, send)
                return
        pending: list[Message] = [{"type": "http.request", "body": bytes(body), "more_body": False}]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)


def _validation_message(exc: RequestValidationError) -> str:
    """One line for a request FastAPI could not read (the first problem)."""
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("type") == "json_invalid":
        return ("the request body is not valid JSON: send an object such as "
                '{"text": "..."} or {"url": "https://..."}')
    where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "the request body"  # after body/query/path
    if first.get("type") == "extra_forbidden":
        return f"{where} is not a field of this request: see /docs for the fields"
    return f"{where}: {first.get('msg', 'invalid')}; see /docs for the fields"


async def _within(seconds: float, what: str, call: Callable[[], Awaitable[_T]]) -> _T:
    try:
        return await asyncio.wait_for(call(), timeout=seconds)
    except TimeoutError:
        raise ApiError(504, f"{what} took longer than serve.request_timeout ({seconds:g} s): "
                            "raise it (CLAIMS_SERVE__REQUEST_TIMEOUT)") from None


def _add_error_handlers(app: FastAPI) -> None:
    """Every failure as one ``{"error": "..."}`` body with its status."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, str(exc), headers)

    @app.exception_handler(ClaimsError)
    async def _claims_error(request: Request, exc: ClaimsError) -> Response:
        return _error(_status(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _error(404, f"no such endpoint {request.url.path}: see /docs")
        if exc.status_code == 405:
            return _error(405, f"{request.method} is not allowed on {request.url.path}: see /docs")
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return _error(500, f"internal error ({exc.__class__.__name__}): see the server's log (claims -v serve)")


def create_app(service: ClaimsService) -> FastAPI:
    """The API over ``service`` (see the module)."""
    serve_settings = service.settings.serve
    token = serve_settings.token.get_secret_value() if serve_settings.token is not None else ""
    timeout = serve_settings.request_timeout
    bearer = HTTPBearer(auto_error=False, description="serve.token, when set")

    def authorised(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:  # noqa: B008
        if token and (credentials is None
                      or not secrets.compare_digest(credentials.credentials.encode(), token.encode())):
            raise ApiError(401, "missing or wrong token: send the header Authorization: Bearer <serve.token>")

    errors: dict[int | str, dict[str, Any]] = {code: {"model": Error} for code in (400, 401, 404, 413, 500, 504)}
    app = FastAPI(title="claims", version="0.1.0", responses=errors,
                  description="Claim verification for news, on the store `claims` commands use. "
                              "Every failure is one JSON body: {\"error\": \"...\"}.")
    api = APIRouter(dependencies=[Depends(authorised)])

    _add_error_handlers(app)

    async def _read(call: Callable[[], _T]) -> _T:
        return await _within(timeout, "the request", lambda: asyncio.to_thread(call))

    @api.post("/check", summary="Verify one article (text or URL) and store its verdicts")
    async def check(request: CheckRequest) -> Response:
        """The verdicts, as `claims check --json` prints them: run_id, verdicts (claim,
        verdict, confidence, best_source, rationale), failed_sources."""
        if (request.text is None) == (request.url is None):
            raise ApiError(400, 'give the article as text or as url, one of them: {"text": "..."} or '
                                '{"url": "https://..."}')
        return _json(await service.check_within(request, timeout))

    @api.get("/verdicts", summary="The latest verdict of each claim, newest first")
    async def verdicts(label: Label | None = None,
                       since: str | None = Query(None, description="YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)"),
                       limit: int = Query(100, ge=1, le=10_000)) -> Response:
        start = _date("since", since)
        rows = await _read(lambda: service.verdicts(label, start, limit))
        return _json({"count": len(rows), "verdicts": rows})

    @api.get("/claims/{claim_id}", summary="A claim's latest verdict and its cited evidence")
    async def claim(claim_id: str) -> Response:
        return _json(await _read(lambda: service.claim(claim_id)))

    @api.get("/report", summary="The HTML report (as claims report writes it)", response_class=HTMLResponse)
    async def report(since: str | None = None, title: str = "Claims report") -> Response:
        start = _date("since", since)
        return HTMLResponse(await _read(lambda: service.report(start, title)))

    @app.get("/health", summary="That the server answers; its store; whether the models are loaded")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "store": service.label, "models_loaded": service.models_loaded(),
                             "checks_waiting": service.waiting})

    app.include_router(api)
    app.add_middleware(_BodyLimit, limit=serve_settings.max_request_bytes)
    return app


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: any free one); a port in use or
    an address this machine lacks is a one-line error."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose another --port "
                          "or --host (serve.port, serve.host)") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings, *, host: str | None = None, port: int | None = None,
          on_ready: Callable[[str], None] | None = None, log_level: str = "warning") -> None:
    """Listen on ``host``:``port`` (default: ``serve.host``/``serve.port``) until stopped
    (Ctrl-C, SIGTERM): the models are loaded first, then ``on_ready`` gets the base URL."""
    host = host or settings.serve.host
    port = settings.serve.port if port is None else port
    require_token(settings, host)
    sock = listen(host, port)
    service: ClaimsService | None = None
    try:
        service = ClaimsService(settings)
        service.warm()
        bound_host, bound_port = sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        config = uvicorn.Config(create_app(service), log_config=None, log_level=log_level,
                                timeout_graceful_shutdown=5)
        server = uvicorn.Server(config)
        if on_ready is not None:
            on_ready(f"http://{shown}:{bound_port}")
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn stopped gracefully on Ctrl-C, then raised it again: the normal end
            log.info("stopped")
    finally:
        sock.close()
        if service is not None:
            service.close()
