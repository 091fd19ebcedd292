"""SQLite writers that queue on an OS file lock instead of SQLite's sleeping busy handler.

Every transaction of the app writes, so on SQLite turns run one at a time whatever the number of
workers. SQLite makes a waiting writer poll, sleeping up to 100 ms between tries, which leaves
the CPU idle and the queue long. A blocking `flock` on a file beside the database wakes the next
writer the moment the previous one commits, and the kernel keeps the order fair enough.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from typing import Any


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection whose transactions hold an exclusive lock on `<db>.writer-lock`."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        in_memory = database in ("", ":memory:") or str(database).startswith("file::memory:")
        self._lock_path = None if in_memory else f"{database}.writer-lock"
        self._lock_fd: int | None = None
        self._locked = False

    def begin_write(self) -> None:
        """Wait for the writer lock, then start a transaction that holds SQLite's write lock."""
        if self._lock_path is not None and not self._locked:
            if self._lock_fd is None:
                self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            self._locked = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._unlock()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._unlock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._unlock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._unlock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def _unlock(self) -> None:
        if self._locked and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._locked = False
