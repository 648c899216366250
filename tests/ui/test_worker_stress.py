"""Work on the worker thread while the GUI thread reads and collects garbage: no crash.

SQLCipher's C library crashed when a connection was used, rolled back or closed on one
thread while its owner used it on another — the stock pool closes other threads'
connections by size, and the garbage collector hands an unclosed Session's connection back
on whichever thread collects it. This runs many jobs on the one worker (demo schools
written, reads, connections left unclosed in reference cycles) while the GUI
thread reads the same databases and calls ``gc.collect()`` again and again.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from PySide6.QtCore import QTimer

from sendesk.db import Database, create_database
from sendesk.demo import write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.services.school.school import school_info
from sendesk.ui.ops import Op, worker

SCHOOLS = 3
SMALL_JOBS = 150


class _Cycle:
    """A connection nobody closes, kept alive only by a reference cycle: the garbage
    collector (on whichever thread runs it) is what hands it back to the pool. (Checked
    out, no transaction: an open one would hold the file's write lock until collected.)"""

    def __init__(self, db: Database) -> None:
        self.connection = db.engine.connect()
        self.me = self


def _leak_a_session(db: Database) -> int:
    _Cycle(db)
    return threading.get_ident()


def test_jobs_on_the_worker_survive_the_gui_thread_collecting(qtbot, tmp_path: Path) -> None:
    dbs = [
        create_database(str(tmp_path / f"school{n}.sendesk"), new_raw_key()) for n in range(SCHOOLS)
    ]
    gui = threading.get_ident()
    ran_on: set[int] = set()
    collected = 0
    read_names: list[str] = []

    def gui_work() -> None:  # the GUI thread: reads, leaks a cycle of its own, collects
        nonlocal collected
        db = dbs[collected % SCHOOLS]
        with db.reading() as read:
            read.rows("SELECT name FROM sqlite_master")
        if collected % 5 == 0:
            _Cycle(db)
        gc.collect(1 if collected % 10 else 2)  # young cycles often, everything now and then
        collected += 1

    timer = QTimer()
    timer.timeout.connect(gui_work)
    timer.start(5)
    ops: list[Op] = []
    for db in dbs:

        def write(progress, db=db):  # type: ignore[no-untyped-def]
            ran_on.add(threading.get_ident())
            return write_demo_school(db, pupils=60, progress=progress).pupils

        ops.append(Op(None, write).run())
        for n in range(SMALL_JOBS // SCHOOLS):
            if n % 2:
                ops.append(Op(None, lambda _p, db=db: _leak_a_session(db)).run())
            else:
                ops.append(
                    Op(
                        None,
                        lambda _p, db=db: school_info(db).name,
                        success=read_names.append,
                    ).run()
                )
    for op in ops:
        op.wait(180_000)  # a hang guard, not a timing: a loaded machine is slow
    timer.stop()
    assert all(op.error is None for op in ops), [op.error for op in ops if op.error]
    assert ops[0].result == 60
    assert collected > 20  # the GUI thread kept collecting while the worker wrote
    ran_on |= {op.result for op in ops if isinstance(op.result, int) and op.result > 1000}
    assert ran_on == {worker().ident} and gui not in ran_on
    assert len(read_names) == SCHOOLS * (SMALL_JOBS // SCHOOLS // 2) and all(read_names)
    for db in dbs:  # the worker's connections closed on the worker, the rest here
        assert school_info(db).name  # the GUI thread's own Session still works
        db.dispose()
    gc.collect()
