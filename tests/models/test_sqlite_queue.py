"""SQLite writers queue on the writer lock: the second waits for the first to commit."""

from __future__ import annotations

import sqlite3
import threading

from models.sqlite_queue import QueuedWriterConnection


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

    thread = threading.Thread(target=write_second)
    thread.start()
    thread.join(timeout=0.3)
    assert thread.is_alive()  # still waiting, well past SQLite's own timeout, without failing
    order.append("first commits")
    first.commit()
    thread.join(timeout=5)
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
    second.begin_write()
    second.commit()
    second.begin_write()
    second.close()  # closing while holding it releases it too
    first.begin_write()
    first.commit()
    first.close()


def test_in_memory_databases_need_no_lock_file(tmp_path):
    connection = sqlite3.connect(":memory:", factory=QueuedWriterConnection, isolation_level=None)
    connection.begin_write()
    connection.commit()
    assert not list(tmp_path.iterdir())
