"""Secrets and the orchestrator: API keys from Prefect Secret blocks, and URLs whose
credentials must not become flow parameters.

The library only ever sees a ``SecretStr`` in the settings object; this is the one place
that asks Prefect for it. The value is never logged.

Prefect keeps every flow run's parameters in its database and shows them in its UI, so a
URL given with credentials (``http://user:password@host/...``, ``?token=...``) is passed
as a parameter without them (:func:`url_parameter`). A flow that needs the credentials
takes them from its settings (file, environment: never stored by Prefect) with
:func:`with_credentials`; ``claims monitor`` hands its command-line feeds to the flow run
it starts in its own process that way (:func:`feeds_through_settings`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from typing import Any

from prefect.blocks.system import Secret
from prefect.utilities.asyncutils import run_coro_as_sync
from pydantic import SecretStr

from claims.ingest import is_url
from claims.settings import Settings
from claims.sources.safety import redact_url

__all__ = ["FACTCHECK_SECRET_BLOCK", "feeds_through_settings", "url_parameter", "with_credentials", "with_secrets"]

FACTCHECK_SECRET_BLOCK = "factcheck-api-key"
FEEDS_VARIABLE = "CLAIMS_SOURCES__FEEDS__FEEDS"

log = logging.getLogger(__name__)


def _load_secret(name: str) -> Secret[Any]:
    """The Secret block ``name``. Prefect's ``Block.load`` answers a caller inside a running
    event loop with the coroutine of ``Block.aload`` instead of the block: that coroutine is
    run to its end here (on Prefect's own event-loop thread), so a sync caller gets the block
    either way."""
    loaded = Secret.load(name)
    if isinstance(loaded, Secret):
        return loaded
    return run_coro_as_sync(loaded)


def with_secrets(settings: Settings) -> Settings:
    """``settings`` with the Fact Check API key filled from the Secret block when needed."""
    factcheck = settings.sources.factcheck
    if not factcheck.enabled or factcheck.api_key is not None:
        return settings
    try:
        value = _load_secret(FACTCHECK_SECRET_BLOCK).get()
    except (ValueError, RuntimeError, OSError) as exc:  # no such block, or no API reachable
        log.warning("no Fact Check API key in settings or Secret block %r (%s); that source will report it",
                    FACTCHECK_SECRET_BLOCK, exc.__class__.__name__)
        return settings
    updated = settings.model_copy(deep=True)
    updated.sources.factcheck.api_key = SecretStr(str(value))
    return updated


def url_parameter(source: str) -> str:
    """``source`` as a flow parameter: a URL without its credentials, a path as it is."""
    return redact_url(source) if is_url(source) else source


def feeds_through_settings(feeds: Sequence[str]) -> list[str]:
    """For a flow run in this process: the feeds as parameters (without credentials); when
    any carried credentials, the full URLs go to the run through its settings (the
    ``sources.feeds.feeds`` environment variable of this process), where
    :func:`with_credentials` finds them."""
    parameters = [url_parameter(f) for f in feeds]
    if parameters != list(feeds):
        os.environ[FEEDS_VARIABLE] = json.dumps(list(feeds))
    return parameters


def with_credentials(urls: Sequence[str] | None, settings: Settings) -> list[str] | None:
    """The URL parameters of a flow run with the credentials they were passed without, from
    the settings' URL lists (``sources.feeds.feeds``, ``sources.urls.urls``)."""
    if urls is None:
        return None
    known = {redact_url(u): u for u in [*settings.sources.feeds.feeds, *settings.sources.urls.urls]}
    return [known.get(u, u) for u in urls]
