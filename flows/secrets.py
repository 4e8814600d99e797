"""API keys from Prefect Secret blocks, for settings that do not carry them.

The library only ever sees a ``SecretStr`` in the settings object; this is the one place
that asks Prefect for it. The value is never logged.
"""

from __future__ import annotations

import logging

from prefect.blocks.system import Secret
from pydantic import SecretStr

from claims.settings import Settings

FACTCHECK_SECRET_BLOCK = "factcheck-api-key"

log = logging.getLogger(__name__)


def with_secrets(settings: Settings) -> Settings:
    """``settings`` with the Fact Check API key filled from the Secret block when needed."""
    factcheck = settings.sources.factcheck
    if not factcheck.enabled or factcheck.api_key is not None:
        return settings
    try:
        value = Secret.load(FACTCHECK_SECRET_BLOCK).get()
    except (ValueError, RuntimeError, OSError) as exc:  # no such block, or no API reachable
        log.warning("no Fact Check API key in settings or Secret block %r (%s); that source will report it",
                    FACTCHECK_SECRET_BLOCK, exc.__class__.__name__)
        return settings
    updated = settings.model_copy(deep=True)
    updated.sources.factcheck.api_key = SecretStr(str(value))
    return updated
