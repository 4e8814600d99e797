"""DuckDB storage: schema, migrations, idempotent writes, user queries (see :mod:`claims.store.db`)."""

from claims.store.connection import SCHEMA_VERSION
from claims.store.db import Store, open_store
from claims.store.queries import run_user_query
from claims.store.records import QueryResult

__all__ = ["SCHEMA_VERSION", "QueryResult", "Store", "open_store", "run_user_query"]
