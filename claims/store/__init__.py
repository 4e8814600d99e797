"""DuckDB storage: schema, migrations, idempotent writes, user queries."""

from claims.store.db import SCHEMA_VERSION, Store, run_user_query

__all__ = ["Store", "SCHEMA_VERSION", "run_user_query"]
