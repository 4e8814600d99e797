"""What one invocation of ``claims`` shares between its parts: the global flags, the
settings (loaded once), the database (opened and migrated once), the two consoles, the
one-line error, and whether a Prefect API is configured.

It travels as the Typer context's object (``ctx.obj``), set by the root callback.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from typer.core import TyperCommand, TyperGroup

from claims.progress import reporting
from claims.settings import Settings, config_file, load_settings, store_label

if TYPE_CHECKING:
    from claims.store import Store

__all__ = ["CORPUS_HELP", "DATABASE_CHOICE", "PREFECT_HELP", "Invocation", "RootGroup", "command_group", "err",
           "examples", "fail", "invocation", "out", "prefect_api_url", "prefect_unreachable", "progress"]

# Piped output is not squeezed to 80 columns: tables stay readable in files and logs.
out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


# How every command chooses its database (the --db help, shown under every --help)
DATABASE_CHOICE = ("The database: FILE, else $CLAIMS_DB, else db in the settings file (--config, $CLAIMS_CONFIG "
                   "or ./claims.toml), else ./claims.duckdb; a store setting (CLAIMS_STORE) names a DuckLake instead.")


# The --corpus option of the commands that gather evidence (check, monitor, reverify)
CORPUS_HELP = ("Folder of articles (.md/.txt with front matter) to use as the local evidence corpus for this run "
               "(default: sources.corpus.path, CLAIMS_SOURCES__CORPUS__PATH; see `claims sources`).")
# The --prefect/--no-prefect option of the one-off runs (check, monitor, reverify)
PREFECT_HELP = ("Run through the Prefect flow (visible in its UI) or directly. Default: through the flow only when "
                "a Prefect API is configured (PREFECT_API_URL or the active Prefect profile).")


# Typer vendors click (typer._click): its commands, contexts and options are typed Any here,
# as Typer's own help classes take them


def _option(command: Any, ctx: Any, token: str) -> Any | None:
    """The option of ``command`` that ``token`` names (``--name`` or ``--name=value``), if any."""
    name = token.split("=", 1)[0] if token.startswith("--") else token
    for param in command.get_params(ctx):
        if param.param_type_name == "option" and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _takes_value(option: Any | None, token: str) -> bool:
    """Whether ``token`` (naming ``option``) is followed by the option's value."""
    return option is not None and not option.is_flag and not option.count and "=" not in token


def _is_text(token: str) -> bool:
    """A token that opens with a dash but is no option: whitespace before any ``=`` (SQL
    that opens with a ``-- comment``, a text such as ``- 8,000 troops``)."""
    return token.startswith("-") and token != "-" and any(c.isspace() for c in token.split("=", 1)[0])


def _text_after_options(command: Any, ctx: Any, args: list[str]) -> list[str]:
    """``args`` with the arguments after a ``--``, so that an argument opening with a dash
    (``"-- Which claims ...\nselect ..."``) is read as an argument, not as an unknown option;
    ``args`` unchanged when none does."""
    if not any(_is_text(a) for a in args):
        return args
    options: list[str] = []
    arguments: list[str] = []
    rest = iter(args)
    for token in rest:
        if token == "--":
            arguments.extend(rest)
        elif token == "-" or not token.startswith("-") or _is_text(token):
            arguments.append(token)
        else:
            options.append(token)
            if _takes_value(_option(command, ctx, token), token):
                options.extend(islice(rest, 1))
    return [*options, "--", *arguments]


def _format_global_options(ctx: Any, formatter: Any) -> None:
    """Under a command's help: the root's options (``--db``, ``--config``, ``-v``), which are
    accepted before or after the command."""
    root = ctx.find_root()
    if root is ctx:
        return
    rows = [record for param in root.command.get_params(root)
            if param.param_type_name == "option" and param.name != "help" and (record := param.get_help_record(root))]
    if rows:
        with formatter.section("Global options (before or after the command)"):
            formatter.write_dl(rows)


class PlainHelpCommand(TyperCommand):
    """A command whose help names its arguments as click and sqlite-utils do: ``SQL``,
    ``[FEED_URL]...`` in the usage line and the argument list, without Typer's ``{SQL}``
    and ``<str>`` tags (optional arguments are the bracketed ones), and lists the global
    options after its own. An argument that opens with a dash and holds a space (SQL that
    opens with a ``-- comment``) is read as an argument."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _text_after_options(self, ctx, args))

    @staticmethod
    def _argument_name(param: Any) -> str:
        name = param.metavar or (param.name or "").upper()
        return name + ("..." if param.nargs != 1 else "")

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = self._argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments = [(self._argument_name(p), getattr(p, "help", None) or "") for p in self.get_params(ctx)
                     if p.param_type_name == "argument"]
        options = [record for p in self.get_params(ctx)
                   if p.param_type_name == "option" and (record := p.get_help_record(ctx))]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        _format_global_options(ctx, formatter)


class PlainHelpGroup(TyperGroup):
    """A group of commands (``claims lake``, ``claims export``) whose help lists the global
    options after its own."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        super().format_options(ctx, formatter)
        _format_global_options(ctx, formatter)


class RootGroup(PlainHelpGroup):
    """The ``claims`` command: its own options (``--db``, ``--config``, ``-v``) are accepted
    after the command too (``claims check FILE --db X``): they are moved in front of it
    before parsing, unless the command has an option of that name itself. An option's
    value is never taken for one (``--title --db`` keeps ``--db`` as the title), nor is
    anything after ``--``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.global_options_first(ctx, args))

    def invoke(self, ctx: Any) -> Any:
        """Run the command; Ctrl-C is one line and exit code 130 (click ended it silently),
        after the library has marked a run in progress ``cancelled``."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            err.print("Interrupted: results stored so far are kept (a run in progress is marked cancelled)",
                      markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(130) from None

    def global_options_first(self, ctx: Any, args: list[str]) -> list[str]:
        """``args`` with the global options given after the command moved just before it
        (after those given there, so that the last given wins, as click has it)."""
        moved: list[str] = []
        kept: list[str] = []
        command: Any = self
        at = 0  # where the command's name is
        rest = iter(args)
        for token in rest:
            if token == "--":
                kept += [token, *rest]
                break
            own = _option(command, ctx, token)
            given = _option(self, ctx, token) if command is not self and own is None else None
            if given is not None and given.name != "help":
                moved += [token, *(islice(rest, 1) if _takes_value(given, token) else ())]
                continue
            if command is self and not token.startswith("-"):
                at = len(kept)
            kept.append(token)
            if _takes_value(own, token):
                kept.extend(islice(rest, 1))
            elif isinstance(command, TyperGroup) and not token.startswith("-"):
                command = command.get_command(ctx, token) or command
        return [*kept[:at], *moved, *kept[at:]]


class _PlainHelpTyper(typer.Typer):
    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", PlainHelpCommand)
        return super().command(*args, **kwargs)


def command_group(**kwargs: Any) -> typer.Typer:
    """A Typer app whose help is plain text as click prints it (``-v, --verbose``, ``--db
    FILE``, the first sentence of each command in the list, examples as written, the global
    options under every command), not Rich panels with ``<bool>`` and ``<path>`` type tags."""
    kwargs.setdefault("cls", PlainHelpGroup)
    return _PlainHelpTyper(rich_markup_mode=None, **kwargs)


def examples(*lines: str) -> str:
    """A command's help epilog: example command lines, printed as written (click's ``\\b``)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``Error: message`` on standard error and exit with ``code`` (2: usage)."""
    err.print(f"Error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def progress(description: str) -> Iterator[None]:
    """One progress bar on standard error while the block runs, advanced by the library's
    :func:`claims.progress.track` loops (a spinner until one reports); nothing at all when
    standard error is not a terminal (a pipe, a file, CI), so logs and redirected output stay clean."""
    if not err.is_terminal:
        yield
        return
    columns = (SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def report(what: str, done: int, total: int | None) -> None:
            bar.update(task, description=f"{description}: {what}", completed=done, total=total)

        with reporting(report):
            yield


def prefect_api_url() -> str | None:
    """The Prefect API this environment points at: ``PREFECT_API_URL``, else the one set in
    the active Prefect profile (``prefect config set PREFECT_API_URL=...``), else none.
    Read from the environment and the profiles file, without importing Prefect (1.3 s)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    url = profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(url) if url else None


def prefect_unreachable(url: str, timeout: float = 3.0) -> str | None:
    """Why the Prefect API at ``url`` cannot serve a flow run (it does not answer its
    ``/health`` endpoint), or None when it answers. Asked with httpx, without importing
    Prefect (whose client retries for minutes and ends in a long traceback)."""
    import httpx  # lazy: only when a Prefect API is configured

    key = os.environ.get("PREFECT_API_KEY")  # Prefect Cloud's; a local server needs none
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout,
                             headers={"Authorization": f"Bearer {key}"} if key else None)
    except httpx.HTTPError as exc:
        return str(exc) or exc.__class__.__name__
    # a server answers (an authorisation refused is Prefect's to report); no health endpoint
    # there, or a server error, is no Prefect API to run a flow on
    if response.status_code == 404 or response.status_code >= 500:
        return f"HTTP {response.status_code} from {url.rstrip('/')}/health"
    return None


@dataclass
class Invocation:
    """The global flags of this invocation and what is loaded from them, once."""

    config: Path | None = None
    db: Path | None = None
    verbose: bool = False
    corpus: Path | None = None  # --corpus of check, monitor, reverify: the evidence corpus of this run
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def settings(self, **overrides: Any) -> Settings:
        """The settings (file, environment, then the flags and ``overrides``), loaded on the
        first call; later calls return the same object."""
        if self._settings is None:
            self._settings = load_settings(self.config, db=self.db, **self._corpus_override(), **overrides)
        return self._settings

    def use_corpus(self, corpus: Path | None) -> None:
        """``--corpus DIR``: this run's evidence corpus (switched on), before the settings are
        loaded; a folder that is not there is a usage error naming it."""
        if corpus is None:
            return
        if not corpus.is_dir():
            what = "is not a folder" if corpus.exists() else "does not exist"
            fail(f"--corpus {corpus} {what}: give a folder of .md/.txt articles (see examples/desk/corpus)", 2)
        self.corpus = corpus.resolve()  # absolute: a flow run starts in another folder

    def _corpus_override(self) -> dict[str, Any]:
        if self.corpus is None:
            return {}
        return {"sources": {"corpus": {"enabled": True, "path": str(self.corpus)}}}

    def config_file(self) -> Path | None:
        """The TOML file the settings were read from (for a flow, which reads it again)."""
        return config_file(self.config)

    def flag_overrides(self) -> dict[str, Any]:
        """The settings given as flags, for a flow run (which loads file and environment itself)."""
        overrides: dict[str, Any] = {"db": str(self.db)} if self.db is not None else {}
        return {**overrides, **self._corpus_override()}

    def store(self, *, must_exist: bool = False) -> Store:
        """The settings' database, opened and migrated on the first call (views are
        recreated there too); with ``must_exist``, a missing file is a one-line error."""
        if self._store is None:
            settings = self.settings()
            if must_exist and not settings.store and not settings.db.exists():
                fail(f"database {settings.db} does not exist: run `claims check` first or set CLAIMS_DB / --db")
            # lazy: the store's modules (DuckDB, numpy: 0.3 s) for commands that open it, not for --help
            from claims.store import open_store

            self._store = open_store(settings)
        return self._store

    def read_only_store(self, at: int | None = None) -> Store:
        """The settings' database for reading only: not created, not migrated; ``at``: a
        lake's snapshot (time travel)."""
        from claims.store import open_store  # lazy: as in store()

        return open_store(self.settings(), migrate=False, at=at)

    def store_label(self) -> str:
        """How messages name the store (the file, or the lake without its password)."""
        return store_label(self.settings())

    def orchestrated(self, asked: bool | None = None) -> bool:
        """Whether one-off runs go through the Prefect flows (``asked``: ``--prefect`` /
        ``--no-prefect``; by default when a Prefect API is configured, so the runs are visible
        in its UI) or call the library directly (no orchestrator: Prefect is not imported).
        A configured API that does not answer is one ``Error:`` line naming it and the
        remedies, before anything runs (Prefect's client would retry, then print hundreds of
        lines of traceback)."""
        if asked is False:
            return False
        url = prefect_api_url()
        if url is None:
            if asked:
                fail("--prefect needs a Prefect API: start one with `make schedule` and set "
                     "PREFECT_API_URL=http://127.0.0.1:4200/api, or leave out --prefect", 2)
            return False
        why = prefect_unreachable(url)
        if why is not None:
            fail(f"the Prefect API at {url} does not answer ({why}): start it with `make schedule`, or run "
                 "without Prefect: --no-prefect, or unset PREFECT_API_URL (`prefect config unset "
                 "PREFECT_API_URL` when a Prefect profile sets it)")
        return True

    def quiet_prefect(self) -> None:
        """Before importing the flows: Prefect's own console logs would bury the one-line
        errors and the table (``-v`` shows them); the library's logs reach its UI."""
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if self.verbose else "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "claims")
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        os.environ.setdefault("DO_NOT_TRACK", "1")
        if not self.verbose:
            for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
                logging.getLogger(name).setLevel(logging.CRITICAL)


def invocation(ctx: typer.Context) -> Invocation:
    """This invocation's :class:`Invocation` (set by the root callback)."""
    return ctx.ensure_object(Invocation)
