"""The performance suite's own parts (benchmarks/run_all.py, issue 16), on small schools.

Not timed (benchmarks are not timed tests): what is checked is what its figures rest on.
The statements a step issues are all caught, the register's plain reads included; run
again on plain SQLite they do the same work (the floor is the same import, not a
shortcut); and the register load and the pupil record open issue as many queries on a
school three times the size — the suite's fixed-count check, here on every test run.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from pathlib import Path
from typing import Any

from sendesk.db import create_database
from sendesk.demo import write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.services.actor import acting_user
from sendesk.services.register.pupil_import import import_pupils
from sendesk.services.register.register_view import register_rows
from sendesk.services.school.school import init_school, school_info
from sendesk.ui.context import AppContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from freeze_bench import heaviest_pupil
from import_bench import make_export
from pupil_record_bench import open_times
from run_all import plain_copy, queries, replay, statements


def _counts(folder: Path, pupils: int) -> tuple[int, int]:
    """SQL queries of the register load and of opening the pupil record with the most
    history, on a demo school of ``pupils``."""
    with create_database(str(folder / f"school-{pupils}.sendesk"), new_raw_key()) as db:
        write_demo_school(db, pupils=pupils, seed=3)
        actor = acting_user(db, "senco")
        with statements(db) as seen:
            rows = register_rows(db, actor)
        assert rows
        register = queries(seen)
        pupil = heaviest_pupil(db, actor)
        with statements(db) as seen:
            open_times(AppContext(db, actor, school_info(db)), pupil, 1)
        return register, queries(seen)


def test_the_register_and_the_pupil_record_issue_as_many_queries_at_any_size(
    qtbot: Any, tmp_path: Path
) -> None:
    small, large = _counts(tmp_path, 30), _counts(tmp_path, 90)
    assert small == large
    assert small[0] == 3  # the register's plain reads are caught (register_view's docstring)


def test_the_import_floor_writes_the_same_pupils_on_plain_sqlite(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    make_export(export, 40, random.Random(1))
    with create_database(str(tmp_path / "school.sendesk"), new_raw_key()) as db:
        actor = init_school(db, "Bench School", senco_username="senco", senco_name="SENCo")
        plain = plain_copy(db, tmp_path / "school.plain")
        with statements(db) as seen:
            report = import_pupils(db, actor, export)
    assert report.created == 40
    replay(plain, seen, commit=True)
    with sqlite3.connect(plain) as conn:
        assert conn.execute("SELECT count(*) FROM pupil").fetchone() == (40,)
        assert conn.execute("SELECT count(*) FROM need").fetchone()[0] > 0
    conn.close()
