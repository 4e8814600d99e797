"""Where an output may be written: never over the store, nor over any DuckDB database.

Every command that writes a file the user names (``claims query --out``, ``claims report
--out``, ``claims export claimreview --out``, the Parquet outputs) asks
:func:`check_output_path` first. ``claims query -f parquet --out claims.duckdb`` used to
replace the database with a Parquet file, every verdict lost; a folder as the output was an
``IsADirectoryError`` traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from claims.errors import InputError
from claims.store.connection import Database
from claims.store.lake import LakeDatabase

__all__ = ["check_output_path", "is_duckdb_file"]

# A DuckDB file's main header: an 8-byte checksum, then the magic bytes.
_MAGIC = b"DUCK"
_MAGIC_OFFSET = 8


def is_duckdb_file(path: Path) -> bool:
    """Whether ``path`` is a regular file that begins as a DuckDB database does."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as file:
            return file.read(_MAGIC_OFFSET + len(_MAGIC))[_MAGIC_OFFSET:] == _MAGIC
    except OSError:
        return False


def _store_files(store: Database) -> list[Path]:
    """The store's own files: the DuckDB file (a lake's catalog file) and its write-ahead log."""
    if isinstance(store, LakeDatabase) and store.on_postgres:
        return []
    return [store.path, store.path.with_name(store.path.name + ".wal")]


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, hard links included)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _refusal(path: Path, store: Database) -> str | None:
    """Why ``path`` may not be written to, and what to do instead; None if it may."""
    if path.is_dir():
        return f"it is a folder; name a file, e.g. {path / 'NAME'}"
    for own in _store_files(store):
        if _same(path, own):
            what = f"the write-ahead log of {store.described}" if own != store.path else f"the {store.described}"
            return f"it is {what}, and writing there would lose every verdict; name another output file"
    resolved = path.resolve()
    for folder in store.sandbox_directories():  # a lake's Parquet files
        if resolved.is_relative_to(Path(folder).resolve()):
            return f"it is inside the data folder of {store.label}; name a file outside it"
    if is_duckdb_file(path):
        return "it is a DuckDB database; name another output file"
    if path.name.endswith(".wal") and is_duckdb_file(path.with_name(path.name[: -len(".wal")])):
        return "it is a DuckDB database's write-ahead log; name another output file"
    return None


def check_output_path(path: str | Path, store: Database) -> Path:
    """``path`` if an output may be written there, else an :class:`InputError` saying why:
    the store's file or its ``.wal``, a lake's data folder, any existing DuckDB database (by
    its magic bytes, ``DUCK`` at offset 8) or its ``.wal``, or a folder."""
    path = Path(path)
    why = _refusal(path, store)
    if why is not None:
        raise InputError(f"will not write to {path}: {why}")
    return path
