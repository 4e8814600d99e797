"""Room for a run's last write: a small file kept beside the database while a run goes on.

When the disk fills during a run, the write that met it is rolled back, and the run's end
(``failed``, with why) must still be recorded: but that is a write too, and on a full disk
it would fail in turn, leaving the run ``running``. So each run keeps
:data:`RESERVE_BYTES` of the disk in a file beside the database
(``claims.duckdb.reserve-<pid>-<run>``) and gives it back just before recording its end
when a write found no room; the file goes when the run ends, whatever the outcome. One left
by a killed process is removed by the next run on the machine that takes room.
"""

from __future__ import annotations

import glob
import logging
import os
from pathlib import Path

__all__ = ["RESERVE_BYTES", "SpaceReserve"]

log = logging.getLogger(__name__)

RESERVE_BYTES = 1 << 20  # far more than a run's end needs (one row: tens of bytes in DuckDB's log)


class SpaceReserve:
    """A file holding :data:`RESERVE_BYTES` of a disk until :meth:`release` (None: no room was taken)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    @classmethod
    def take(cls, path: Path) -> SpaceReserve:
        """Fill ``path`` (named ``<database>.reserve-<pid>-<run>``) with zeros; on a disk already
        too full for it, a reserve of nothing."""
        _remove_stale(path)
        try:
            with open(path, "xb") as handle:
                handle.write(bytes(RESERVE_BYTES))
        except OSError as exc:
            log.info("no room reserved for the run's end at %s (%s)", path, exc.strerror or exc)
            path.unlink(missing_ok=True)
            return cls(None)
        return cls(path)

    def release(self) -> None:
        """Give the room back (idempotent)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


def _remove_stale(path: Path) -> None:
    """Remove the reserves of ``path``'s database whose process is gone (killed runs)."""
    prefix = path.name.rsplit(".reserve-", 1)[0] + ".reserve-"
    for other in path.parent.glob(glob.escape(prefix) + "*"):
        pid = other.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            other.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
