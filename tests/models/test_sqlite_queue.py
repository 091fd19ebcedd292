"""SQLite writers queue on the writer lock: the second waits for the first to commit."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import pytest

from models.sqlite_queue import QueuedWriterConnection

# A free lock is taken in microseconds; a lock never released fails the test after this many
# seconds instead of hanging the run (a thread blocked in flock cannot be interrupted).
LOCK_SECONDS = 5


def connect(path) -> QueuedWriterConnection:
    connection = sqlite3.connect(
        str(path),
        factory=QueuedWriterConnection,
        isolation_level=None,
        check_same_thread=False,
        timeout=0.05,
    )
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def within(seconds: float, work: Callable[[], None]) -> threading.Thread:
    """Run work in a daemon thread; fail if it is still blocked after `seconds`."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)  # a stuck one must not keep pytest alive
    thread.start()
    thread.join(timeout=seconds)
    if thread.is_alive():
        pytest.fail(f"still waiting for the writer lock after {seconds} s")
    if errors:
        raise errors[0]
    return thread


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path):
    path = tmp_path / "q.db"
    first, second = connect(path), connect(path)
    first.execute("CREATE TABLE t (step TEXT)")
    order: list[str] = []

    first.begin_write()
    first.execute("INSERT INTO t VALUES ('first')")

    def write_second() -> None:
        second.begin_write()  # blocks on the lock, not on SQLite's 50 ms busy timeout
        order.append("second began")
        second.execute("INSERT INTO t VALUES ('second')")
        second.commit()

    thread = threading.Thread(target=write_second, daemon=True)
    thread.start()
    thread.join(timeout=0.3)
    assert thread.is_alive()  # still waiting, well past SQLite's own timeout, without failing
    order.append("first commits")
    first.commit()
    thread.join(timeout=LOCK_SECONDS)
    assert not thread.is_alive(), f"the second writer still waits {LOCK_SECONDS} s after the commit"
    assert order == ["first commits", "second began"]
    rows = [row[0] for row in first.execute("SELECT step FROM t")]
    assert rows == ["first", "second"]
    first.close()
    second.close()


def test_rollback_and_close_release_the_lock(tmp_path):
    path = tmp_path / "q.db"
    first, second = connect(path), connect(path)
    first.begin_write()
    first.rollback()
    within(LOCK_SECONDS, second.begin_write)
    second.commit()
    within(LOCK_SECONDS, second.begin_write)
    second.close()  # closing while holding it releases it too
    within(LOCK_SECONDS, first.begin_write)
    first.commit()
    first.close()


def test_in_memory_databases_need_no_lock_file(tmp_path):
    connection = sqlite3.connect(":memory:", factory=QueuedWriterConnection, isolation_level=None)
    connection.begin_write()  # no file, no lock: nothing to wait for
    connection.commit()
    assert not list(tmp_path.iterdir())
