"""Whether a one-off command runs the library or a flow: a Prefect API is configured by
``PREFECT_API_URL`` in the environment or in the active Prefect profile (read without
importing Prefect)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims_cli.context import prefect_api_url

PROFILES = """
active = "local"

[profiles.ephemeral]
PREFECT_SERVER_ALLOW_EPHEMERAL_MODE = "true"

[profiles.local]
PREFECT_API_URL = "http://127.0.0.1:4200/api"

[profiles.other]
PREFECT_API_URL = "http://127.0.0.1:4300/api"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    return tmp_path


def test_no_api_without_variable_or_profile(home: Path) -> None:
    assert prefect_api_url() is None
    (home / "profiles.toml").write_text('active = "ephemeral"\n[profiles.ephemeral]\n', encoding="utf-8")
    assert prefect_api_url() is None


def test_the_active_profile_and_the_variable(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "profiles.toml").write_text(PROFILES, encoding="utf-8")
    assert prefect_api_url() == "http://127.0.0.1:4200/api"
    monkeypatch.setenv("PREFECT_PROFILE", "other")
    assert prefect_api_url() == "http://127.0.0.1:4300/api"
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4400/api")
    assert prefect_api_url() == "http://127.0.0.1:4400/api"
