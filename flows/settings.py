"""The settings of a flow run, resolved in this one place for every flow: the TOML file and
``CLAIMS_*`` environment of :func:`claims.settings.load_settings`, the flow's
``overrides`` on top, then the secrets Prefect holds (:func:`flows.secrets.with_secrets`)."""

from __future__ import annotations

from typing import Any

from claims.settings import Settings, load_settings
from flows.secrets import with_secrets

__all__ = ["flow_settings"]


def flow_settings(config: str | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """The settings for a flow run (file ``config`` if given, environment, ``overrides``, secrets)."""
    return with_secrets(load_settings(config, **(overrides or {})))
