"""File → Import a CTF… (issue 15): the SENCo sees every problem before anything is
written, may import the rest, and is told what came in. The CTFs are real files written
here; the import runs on the worker thread."""

from __future__ import annotations

from datetime import date

from sendesk.models import Role
from sendesk.services.register.pupil_record import get_record
from sendesk.services.staff.users import create_user, sign_in
from sendesk.ui.main_window import MainWindow
from sendesk.ui.transfer.ctf_import_dialog import CtfImportDialog
from tests.factories import add_test_pupil
from tests.services.test_ctf_import import ctf, need, pupil_xml, sen, upn_of, write
from tests.ui.screens import context, on_screen


def _dialog(qtbot, db, actor) -> CtfImportDialog:
    return on_screen(qtbot, CtfImportDialog(context(db, actor)))


def _items(dialog: CtfImportDialog) -> list[str]:
    return [dialog.problems.item(i).text() for i in range(dialog.problems.count())]


def _reasons(db, senco, pupil_id: int) -> list[str]:
    return [h.reason or "" for h in get_record(db, senco, pupil_id).history if h.kind == "status"]


def test_problems_listed_then_the_rest_imported(qtbot, db, senco, tmp_path) -> None:
    first = add_test_pupil(db, senco, 1, since=date(2024, 9, 1))
    second = add_test_pupil(db, senco, 2, since=date(2024, 9, 1))
    path = write(
        tmp_path,
        ctf(
            pupil_xml(upn_of(1), history=sen("2021-09-01", "K", "2021-01-01")),
            pupil_xml(
                upn_of(2),
                history=sen("2021-09-01", "K") + f"<SENneeds>{need('MLD', 1)}</SENneeds>",
            ),
        ),
    )
    dialog = _dialog(qtbot, db, senco)
    dialog.path.setText(str(path))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    problems = [t for t in _items(dialog) if t.startswith("Problem:")]
    assert problems == [
        f"Problem: pupil 1 ({upn_of(1)}): SEN 1: EndDate 01/01/2021 is before StartDate 01/09/2021"
    ]
    summary = dialog.summary.text()
    assert "will not import this file as it stands" in summary
    assert f"leave out: pupil 1 ({upn_of(1)})" in summary
    assert not dialog.import_button.isEnabled()  # all or nothing, until the SENCo chooses

    dialog.skip.setChecked(True)
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.imported, timeout=10_000)
    text = dialog.summary.text()
    assert "Added 1 register entry and 1 need(s) for 1 pupil(s)" in text
    assert f"Left out 1 pupil(s) with problems: pupil 1 ({upn_of(1)})" in text
    assert dialog.close_button.text() == "Close"
    assert "from Hill Primary (CTF)" in _reasons(db, senco, second)
    assert not any("CTF" in r for r in _reasons(db, senco, first))


def test_a_clean_file_imports_and_a_wrong_one_is_one_sentence(qtbot, db, senco, tmp_path):
    pid = add_test_pupil(db, senco, 3, since=date(2024, 9, 1))
    dialog = _dialog(qtbot, db, senco)
    bad = write(tmp_path, b"<ATfile/>", "wrong.xml")
    dialog.path.setText(str(bad))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)
    assert dialog.summary.text() == "wrong.xml is not a CTF (its root element is ATfile)."
    assert not dialog.import_button.isEnabled()

    good = write(tmp_path, ctf(pupil_xml(upn_of(3), history=sen("2022-01-10", "K"))))
    dialog.path.setText(str(good))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert "No problems found" in dialog.summary.text()
    assert not dialog.skip.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.imported, timeout=10_000)
    assert "Added 1 register entry" in dialog.summary.text()
    assert "from Hill Primary (CTF)" in _reasons(db, senco, pid)


def test_only_the_senco_has_the_menu_item(qtbot, db, senco) -> None:
    def texts(window: MainWindow) -> set[str]:
        return {a.text().replace("&", "") for a in window._menu_by_title["&File"].actions()}

    window = MainWindow(context(db, senco))
    qtbot.addWidget(window)
    assert "Import a CTF…" in texts(window)
    create_user(db, senco, "t1", "Mr Teacher", Role.TEACHER, "teacher123")
    teacher = MainWindow(context(db, sign_in(db, "t1", "teacher123")))
    qtbot.addWidget(teacher)
    assert "Import a CTF…" not in texts(teacher)
