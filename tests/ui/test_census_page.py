"""The SENCo's census check page on a school with planted problems: what they read and open."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from sendesk.models import Role
from sendesk.services.staff.users import create_user, sign_in
from sendesk.ui.main_window import MainWindow
from sendesk.ui.register.census_page import COLUMNS, CensusPage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from census_school import TODAY, plant_census_problems

from tests.ui.export_audit import export_details
from tests.ui.screens import context, on_screen
from tests.ui.views import all_cells, headers, row_count, set_current


def cells(page: CensusPage) -> list[list[str]]:
    return all_cells(page.table)


def test_lists_each_problem_with_rule_and_fix_and_opens_the_pupil(qtbot, db, senco) -> None:
    ids = plant_census_problems(db, senco)
    page = on_screen(qtbot, CensusPage(context(db, senco), today=TODAY))
    page.loading.wait()  # type: ignore[union-attr]  # the check runs on the worker
    assert page.summary.text() == (
        "4 problems for 4 pupils (7 pupils on roll checked) to fix before the spring census "
        "on Thursday 21 January 2027. Enter opens the pupil's record."
    )
    assert headers(page.table) == list(COLUMNS)
    rows = cells(page)
    assert [(r[0], r[2]) for r in rows] == [
        ("Ben Lower", "Not confirmed"),
        ("Cara Statement", "2115"),
        ("Dan Noneed", "2170"),
        ("Gus Besd", "Not confirmed"),
    ]
    assert rows[1][4] == "SEN provision S"
    assert rows[1][5].startswith("Change the pupil's SEN status to E (EHC plan)")
    assert rows[2][3] == "A pupil with SEN provision K or E has an SEN type"
    assert "Eve Voided" not in {r[0] for r in rows}  # her voided entry is not the register
    # Enter on a row opens that pupil.
    page.table.setFocus()
    set_current(page.table, 2)
    with qtbot.waitSignal(page.pupil_activated) as opened:
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == [ids["Dan"]]


def test_check_again_after_a_fix_and_a_clean_register(qtbot, db, senco) -> None:
    page = CensusPage(context(db, senco), today=TODAY)
    qtbot.addWidget(page)
    page.loading.wait()  # type: ignore[union-attr]
    assert row_count(page.table) == 0
    assert page.summary.text().startswith("No census problems: 0 pupils on roll checked")
    plant_census_problems(db, senco)
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    assert page.summary.text() == "Checking the register…"
    page.loading.wait()  # type: ignore[union-attr]
    assert row_count(page.table) == 4


def test_senco_only_and_reached_from_the_main_window(qtbot, db, senco) -> None:
    ids = plant_census_problems(db, senco)
    window = MainWindow(context(db, senco))
    qtbot.addWidget(window)
    window.nav.setCurrentRow(list(window.pages).index("Census check"))
    page = window.pages["Census check"]
    assert isinstance(page, CensusPage)
    assert window.stack.currentWidget() is page
    page.loading.wait()  # type: ignore[union-attr]
    page.table.activated.emit(page.table.model().index(1, 0))
    qtbot.waitUntil(lambda: ids["Cara"] in window.pupil_windows)  # read on the worker
    create_user(db, senco, "t1", "Mr Teacher", Role.TEACHER, "teacher123")
    teacher = MainWindow(context(db, sign_in(db, "t1", "teacher123")))
    qtbot.addWidget(teacher)
    assert "Census check" not in teacher.pages


def test_export_writes_the_problems_shown_and_says_where(qtbot, db, senco, tmp_path) -> None:
    plant_census_problems(db, senco)
    page = on_screen(qtbot, CensusPage(context(db, senco), today=TODAY))
    page.loading.wait()  # type: ignore[union-attr]
    assert page.export_button.isEnabled() and not page.written.isVisible()
    target = tmp_path / "census problems.csv"
    with qtbot.waitSignal(page.exported):
        page.export_to(target)
    with target.open(encoding="utf-8-sig", newline="") as fh:
        written = list(csv.reader(fh))
    assert written == [list(COLUMNS), *cells(page)]
    assert page.written.text() == f"Saved 4 rows to {target}."
    assert export_details(db) == [{"what": "census check", "pupils": 4, "file": target.name}]
