"""The one exception hierarchy of the claims library.

    ClaimsError                 base: the CLI prints ``Error: <message>`` and exits non-zero
    ├── InputError              unreadable, binary, empty or oversized input; bad arguments
    ├── FetchError              a URL could not be fetched (network, status, size, type)
    │   ├── HTTPStatusError     the server answered an error status (after retries)
    │   └── RefusedURLError     a URL refused before any request (scheme, private host, robots)
    ├── StoreError              the database cannot be used
    │   ├── DatabaseLockedError another process holds the write lock for too long
    │   ├── DatabaseDamagedError the file is truncated or corrupt (nothing is written to it)
    │   ├── SchemaVersionError  the file was written by a newer version of claims
    │   └── QueryError          bad SQL, or a write attempted through a read-only query
    ├── DiskFullError           the disk (or a file size limit) refused a write
    └── ConfigError             settings that cannot work

Every message says what went wrong and what to do about it, in one line.
"""

from __future__ import annotations

__all__ = [
    "ClaimsError",
    "ConfigError",
    "DatabaseDamagedError",
    "DatabaseLockedError",
    "DiskFullError",
    "FetchError",
    "HTTPStatusError",
    "InputError",
    "QueryError",
    "RefusedURLError",
    "SchemaVersionError",
    "StoreError",
]


class ClaimsError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(ClaimsError):
    """The input document cannot be used."""


class FetchError(ClaimsError):
    """A URL could not be fetched."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (after retries, where they apply)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RefusedURLError(FetchError):
    """A URL was refused before any request was sent."""


class StoreError(ClaimsError):
    """The DuckDB database cannot be used."""


class DatabaseLockedError(StoreError):
    """Another process held the database write lock past the retry budget."""


class DatabaseDamagedError(StoreError):
    """The database file is truncated or corrupt; it is left as it is, nothing written to it."""


class SchemaVersionError(StoreError):
    """The database schema is newer than this version of claims understands."""


class QueryError(StoreError):
    """A user query failed (bad SQL, or a write through the read-only query path)."""


class DiskFullError(ClaimsError):
    """A write found no space on its disk (ENOSPC, a quota) or passed a file size limit
    (EFBIG); the write was rolled back and what was stored before is kept."""


class ConfigError(ClaimsError):
    """Settings that cannot work."""
