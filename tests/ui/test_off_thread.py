"""The slow reads and writes behind what users do run on the worker thread, not the GUI's.

Each test records the thread a service was called on (the service itself still runs,
against the real database) and asserts only that it was not the GUI thread: how long the
window was blocked is the benchmark's figure (benchmarks/freeze_bench.py), not a test's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt

from sendesk.ui.ops import worker
from tests.ui.screens import context, on_screen


def _record_thread(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Wrap ``module.name`` so each call notes its thread, then does the real work."""
    seen: list[int] = []
    real: Callable[..., Any] = getattr(module, name)

    def noted(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, noted)
    return seen


def _record_threads(
    monkeypatch: pytest.MonkeyPatch, module: Any, *names: str
) -> dict[str, list[int]]:
    """:func:`_record_thread` for each of ``names``: name → the threads it was called on."""
    return {name: _record_thread(monkeypatch, module, name) for name in names}


def test_whats_due_is_worked_out_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    from sendesk.services import due
    from sendesk.ui.home_page import HomePage

    seen = _record_thread(monkeypatch, due, "due_items")
    page = HomePage(context(db, senco))
    qtbot.addWidget(page)
    page.load_once().wait()
    assert page.loaded and "What's due</b> — 0 overdue" in page.summary.text()
    assert seen == [worker().ident] and threading.get_ident() not in seen


def test_whats_due_is_worded_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """Each item's cells and the widest of them are made with the items, on the worker;
    the page shows them under their headings, open."""
    from sendesk.ui import home_page
    from tests.factories import add_test_pupil

    add_test_pupil(db, senco, 1, provision="K", forename="Zoë")  # SEN support, no review date
    seen = _record_thread(monkeypatch, home_page, "due_texts")
    page = home_page.HomePage(context(db, senco))
    qtbot.addWidget(page)
    page.load_once().wait()
    heading = page.grouped.index(0, 0)
    assert page.table.isExpanded(heading) and page.grouped.rowCount(heading) > 0
    first = page.grouped.index(0, 2, heading)
    assert "Zoë" in page.grouped.data(first) and page.model.widest
    assert seen == [worker().ident]


def test_the_password_is_checked_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    from sendesk.services.staff import users
    from sendesk.ui.staff.sign_in import SignInDialog

    seen = _record_thread(monkeypatch, users, "sign_in")
    dialog = on_screen(qtbot, SignInDialog(db, "Test Academy", "senco"))
    qtbot.keyClicks(dialog.password, "wrong")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()
    assert dialog.error.text() == "The username or password is wrong."
    assert seen == [worker().ident]


def test_signing_in_derives_keys_and_imports_the_models_on_the_worker(
    qtbot, monkeypatch, db, senco
) -> None:
    """Every scrypt of signing in (checking the given password, hashing the new one that
    replaces it) and the models' import while the user types run off the GUI thread."""
    from sendesk.models import Role
    from sendesk.services.staff import users
    from sendesk.ui.staff import sign_in

    users.create_user(db, senco, "new", "Ms New", Role.TEACHER, "first-pass")
    seen = _record_threads(
        monkeypatch, users, "check_password", "hash_password", "change_own_password"
    )
    imported = _record_thread(monkeypatch, sign_in, "_import_sign_in")
    dialog = on_screen(qtbot, sign_in.SignInDialog(db, "Test Academy", "new"))
    qtbot.waitUntil(lambda: dialog.importing is not None)
    dialog.importing.wait()  # type: ignore[union-attr]
    qtbot.keyClicks(dialog.password, "first-pass")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    dialog.checking.wait()
    assert dialog.change_box.isVisible() and dialog.actor is None
    qtbot.keyClicks(dialog.new_password, "my-own-pass")
    qtbot.keyClicks(dialog.new_again, "my-own-pass")
    qtbot.keyClick(dialog.new_again, Qt.Key.Key_Return)
    dialog.checking.wait()
    assert dialog.actor is not None and not dialog.isVisible()
    assert imported == [worker().ident]
    assert seen["check_password"] and seen["hash_password"] and seen["change_own_password"]
    assert {t for threads in seen.values() for t in threads} == {worker().ident}


def test_the_gap_view_and_a_pupils_record_are_read_on_the_worker(
    qtbot, monkeypatch, db, senco
) -> None:
    from sendesk.services.register import pupil_record
    from sendesk.ui.access import access_page
    from sendesk.ui.main_window import MainWindow
    from tests.factories import add_test_pupil

    pupil = add_test_pupil(db, senco, 1, forename="Zoë")
    gaps = _record_thread(monkeypatch, access_page, "gap_view")
    records = _record_thread(monkeypatch, pupil_record, "view_record")
    window = on_screen(qtbot, MainWindow(context(db, senco)))
    page = window.page("Access arrangements")
    page.loading.wait()
    window.open_pupil(pupil).wait()
    assert pupil in window.pupil_windows
    assert "Zoë" in window.pupil_windows[pupil].header.text()
    assert gaps == [worker().ident] and records == [worker().ident]
    window.pupil_windows[pupil].close()


def test_the_audit_trail_is_read_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    from sendesk.ui.store import audit_page

    seen = _record_threads(
        monkeypatch, audit_page, "audit_listing", "audit_actions", "lock_after_minutes"
    )
    page = audit_page.AuditPage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()
    assert page.message.text().endswith("match, oldest first (newest in view).")
    assert page.lock_minutes.isEnabled() and page.lock_minutes.value() == 5
    page.show_button.click()
    page.loading.wait()
    assert seen == {
        "audit_listing": [worker().ident] * 2,
        "audit_actions": [worker().ident] * 2,
        "lock_after_minutes": [worker().ident],
    }


def test_the_audit_trails_cells_are_worded_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """Tens of thousands of events: their texts and the widest of them (which size the
    columns) are made with the read, on the worker."""
    from sendesk.ui.store import audit_page

    seen = _record_thread(monkeypatch, audit_page, "text_rows")
    page = audit_page.AuditPage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()
    assert page.model.rowCount() > 0 and page.model.widest
    assert page.model.data(page.model.index(0, 1)) == page.listing.lines[0].username
    assert seen == [worker().ident]


def test_the_provision_map_is_read_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    from sendesk.ui.graduated import provision_map_page
    from tests.factories import add_test_pupil

    zoe = add_test_pupil(db, senco, 1, forename="Zoë")
    seen = _record_threads(
        monkeypatch, provision_map_page, "register_rows", "school_provision", "pupil_provision"
    )
    page = provision_map_page.ProvisionMapPage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()
    assert "Zoë" in page.pupil_combo.itemText(0)
    page.show_pupil(zoe)
    page.loading.wait()
    assert page.pupil_id == zoe and "Zoë" in page.pupil_heading.text()
    assert seen == {
        "register_rows": [worker().ident],
        "school_provision": [worker().ident],
        "pupil_provision": [worker().ident],
    }


def test_my_classes_are_read_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    from sendesk.ui.access import class_evidence_page

    seen = _record_thread(monkeypatch, class_evidence_page, "my_class_lists")
    page = class_evidence_page.ClassEvidencePage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()
    assert "You have no classes in SENDesk yet" in page.empty_label.text()
    page.reload().wait()
    assert seen == [worker().ident] * 2


def test_the_interventions_page_reads_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """Opening the page reads the catalogue, the first group, its pupils and the first
    pupil's progress on the worker; choosing another group reads from there down."""
    from datetime import date

    from sendesk.services.graduated.enrolments import enrol
    from sendesk.services.graduated.intervention_records import GroupData, InterventionData
    from sendesk.services.graduated.intervention_setup import add_group, add_intervention
    from sendesk.ui.graduated import interventions_page
    from tests.factories import admit_pupil

    iid = add_intervention(
        db,
        senco,
        InterventionData("Toe by Toe", "Cognition and learning", "TA", "SWRT", "standardised"),
    )
    first = add_group(db, senco, GroupData(iid, "Monday", None, (0,), date(2025, 1, 6)))
    second = add_group(db, senco, GroupData(iid, "Friday", None, (4,), date(2025, 1, 10)))
    enrol(db, senco, first, admit_pupil(db, senco, 1, "Zoë"), date(2025, 1, 6), None, 82)
    seen = _record_threads(
        monkeypatch,
        interventions_page,
        "list_interventions",
        "list_groups",
        "list_enrolments",
        "enrolment_progress",
    )
    page = interventions_page.InterventionsPage(context(db, senco))
    qtbot.addWidget(page)
    assert page.loading_label.text() == "Loading…" and not page.loading_label.isHidden()
    assert page.loading is not None
    page.loading.wait()
    assert page.loading_label.isHidden()
    assert page.catalogue_model.rowCount() == 1 and page.group_model.rowCount() == 2
    page.select_group(first).wait()  # type: ignore[union-attr]
    assert page.verdict_label.text().startswith("Zoë Pupil in Monday (Toe by Toe).")
    page.select_group(second).wait()  # type: ignore[union-attr]
    assert page.enrolment_model.rowCount() == 0
    assert page.verdict_label.text() == "Choose a pupil in a group to see their progress."
    calls = {name: len(threads) for name, threads in seen.items()}
    assert calls["list_interventions"] == 1 and calls["list_enrolments"] >= 2
    assert {t for threads in seen.values() for t in threads} == {worker().ident}


def test_the_interventions_page_words_its_rows_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """The catalogue's, groups' and pupils' cells are worded (and their widest found) on the
    worker with the read: a big school's intervention has thousands of groups."""
    from datetime import date

    from sendesk.services.graduated.intervention_records import GroupData, InterventionData
    from sendesk.services.graduated.intervention_setup import add_group, add_intervention
    from sendesk.ui.graduated import interventions_page

    iid = add_intervention(
        db,
        senco,
        InterventionData("Toe by Toe", "Cognition and learning", "TA", "SWRT", "standardised"),
    )
    add_group(db, senco, GroupData(iid, "Monday", None, (0,), date(2025, 1, 6)))
    seen = _record_thread(monkeypatch, interventions_page, "text_rows")
    page = interventions_page.InterventionsPage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()
    assert page.catalogue_model.data(page.catalogue_model.index(0, 0)) == "Toe by Toe"
    assert page.group_model.data(page.group_model.index(0, 0)) == "Monday"
    assert len(seen) == 3 and set(seen) == {worker().ident}


def test_opening_a_pupil_makes_only_the_tab_asked_for(qtbot, db, senco) -> None:
    """What's due opens a pupil on the tab its item is about: the record is read on the
    worker and only that tab is made; the others wait until they are first shown."""
    from sendesk.ui.ehc.ehc_tab import EhcTab
    from sendesk.ui.main_window import MainWindow
    from sendesk.ui.register.pupil_tabs import LAZY_TABS
    from tests.factories import add_test_pupil

    pupil = add_test_pupil(db, senco, 1, provision="E", forename="Zoë")
    window = MainWindow(context(db, senco))
    qtbot.addWidget(window)
    window.open_pupil(pupil, "ehc").wait()  # type: ignore[union-attr]
    record = window.pupil_windows[pupil]
    assert isinstance(record.tabs.currentWidget(), EhcTab)
    assert [key for key, *_rest in LAZY_TABS if record.is_built(key)] == ["ehc"]  # type: ignore[attr-defined]
    record.close()


def test_unlocking_checks_the_password_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """The lock screen's password check (the sign-in's scrypt) runs off the GUI thread; a
    wrong password is refused in the lock screen's sentence and the right one unlocks."""
    from sendesk.services.staff import users
    from sendesk.services.staff.session_lock import REFUSED
    from sendesk.ui.main_window import MainWindow

    users.set_password(db, senco, "senco", "correct horse")
    seen = _record_thread(monkeypatch, users, "sign_in")
    window = on_screen(qtbot, MainWindow(context(db, senco)))
    window.locker.lock()
    screen = window.locker.screen
    assert screen is not None
    screen.password.setText("not my password")
    checking = window.locker.try_unlock()
    assert checking is not None and not screen.unlock_button.isEnabled()
    checking.wait()
    assert window.locker.is_locked and screen.message.text() == REFUSED
    screen.password.setText("correct horse")
    checking = window.locker.try_unlock()
    assert checking is not None
    checking.wait()
    assert not window.locker.is_locked and window.centralWidget().isVisible()
    assert seen == [worker().ident] * 2


def test_my_groups_are_read_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """My groups reads the day's groups on the worker, saying "Loading…" meanwhile; a
    group asked for while the day is read (a "sessions not logged" item opening its day)
    is the one shown when the read lands."""
    from datetime import date

    from sendesk.services.graduated.enrolments import enrol
    from sendesk.services.graduated.intervention_records import GroupData, InterventionData
    from sendesk.services.graduated.intervention_setup import add_group, add_intervention
    from sendesk.ui.graduated import session_logging
    from tests.factories import admit_pupil

    monday = date(2025, 3, 3)
    iid = add_intervention(
        db,
        senco,
        InterventionData("Toe by Toe", "Cognition and learning", "TA", "SWRT", "standardised"),
    )
    first = add_group(db, senco, GroupData(iid, "Early", senco.user_id, (0,), date(2025, 1, 6)))
    second = add_group(db, senco, GroupData(iid, "Late", senco.user_id, (0,), date(2025, 1, 6)))
    enrol(db, senco, second, admit_pupil(db, senco, 1, "Zoë"), date(2025, 1, 6), None, 82)
    seen = _record_thread(monkeypatch, session_logging, "my_groups")
    page = session_logging.MyGroupsPage(context(db, senco), today=monday + date.resolution * 7)
    qtbot.addWidget(page)
    assert not page.loading_label.isHidden() and not page.save_button.isEnabled()
    page.set_date(monday)  # while the first read (of today) runs
    assert page.select_group(second) is page.loading
    page.loading.wait()  # type: ignore[union-attr]
    assert page.loading_label.isHidden() and page.groups_list.count() == 2
    assert page.group is not None and page.group.group_id == second
    assert page.group_title.text() == "Late — Toe by Toe — Monday 03/03/2025"
    assert page.model.rowCount() == 1 and page.save_button.isEnabled()
    page.select_group(first)
    assert page.group is not None and page.group.group_id == first
    assert seen == [worker().ident] * 2


def test_the_census_check_runs_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """The census check page runs the check (a read of the whole register) on the worker,
    saying it is checking meanwhile, both when opened and on "Check again"."""
    from sendesk.ui.register import census_page

    seen = _record_thread(monkeypatch, census_page, "census_check")
    page = census_page.CensusPage(context(db, senco))
    qtbot.addWidget(page)
    assert page.summary.text() == "Checking the register…"
    page.loading.wait()  # type: ignore[union-attr]
    assert page.summary.text().startswith("No census problems: 0 pupils on roll checked")
    page.check_button.click()
    page.loading.wait()  # type: ignore[union-attr]
    assert page.summary.text().startswith("No census problems")
    assert seen == [worker().ident] * 2


def test_the_register_is_read_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """The register page reads the register on the worker when it is made, and again on
    "Show all pupils"; its count says it is reading until the rows land."""
    from sendesk.ui.register import register_page
    from tests.factories import add_test_pupil

    add_test_pupil(db, senco, 1, provision="K", forename="Zoë")
    add_test_pupil(db, senco, 2, provision="N", forename="Ned")
    seen = _record_thread(monkeypatch, register_page, "register_rows")
    page = register_page.RegisterPage(context(db, senco))
    qtbot.addWidget(page)
    assert page.count_label.text() == "Reading the register…"
    page.loading.wait()  # type: ignore[union-attr]
    assert page.count_label.text() == "1 pupil shown of 1"
    assert "Zoë" in page.proxy.index(0, 0).data()
    page.show_all.click()
    page.loading.wait()  # type: ignore[union-attr]
    assert page.count_label.text() == "2 pupils shown of 2"
    assert seen == [worker().ident] * 2 and threading.get_ident() not in seen


def test_the_register_search_keys_are_built_on_the_worker(qtbot, monkeypatch, db, senco) -> None:
    """The filter columns (every name folded for the search) are built with the read, on
    the worker; the model takes them as they are, building none on the GUI thread, and the
    search finds pupils by them."""
    from sendesk.ui.register import register_model, register_page
    from tests.factories import add_test_pupil

    add_test_pupil(db, senco, 1, provision="K", forename="Zoë")
    add_test_pupil(db, senco, 2, provision="N", forename="Łukasz")
    on_worker = _record_thread(monkeypatch, register_page, "build_filter_columns")
    in_model = _record_thread(monkeypatch, register_model, "build_filter_columns")
    page = register_page.RegisterPage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()  # type: ignore[union-attr]
    page.show_all.click()
    page.loading.wait()  # type: ignore[union-attr]
    page.search.setText("lukasz")
    assert page.count_label.text() == "1 pupil shown of 2"
    assert "Łukasz" in page.proxy.index(0, 0).data()
    assert on_worker == [worker().ident] * 2 and in_model == []


def test_a_register_sorted_by_name_folds_no_name_on_the_gui_thread(
    qtbot, monkeypatch, db, senco
) -> None:
    """With the register sorted by Name, a reload ("Show all pupils") sorts by keys built
    with the read on the worker: every name is folded there, none on the GUI thread, and
    the table shows the pupils in surname order."""
    from sendesk.ui.register import register_model, register_page
    from tests.factories import add_test_pupil

    add_test_pupil(db, senco, 1, provision="K", forename="Zoë", surname="Zed")
    add_test_pupil(db, senco, 2, provision="N", forename="Łukasz", surname="Ångström")
    add_test_pupil(db, senco, 3, provision="K", forename="Ned", surname="Morris")
    page = register_page.RegisterPage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()  # type: ignore[union-attr]
    page.table.sortByColumn(register_model.Column.NAME, Qt.SortOrder.AscendingOrder)
    folded = _record_thread(monkeypatch, register_model, "fold")
    page.show_all.click()
    page.loading.wait()  # type: ignore[union-attr]
    shown = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    assert shown == ["Łukasz Ångström", "Ned Morris", "Zoë Zed"]
    assert folded and set(folded) == {worker().ident}


def test_the_register_export_is_written_on_the_worker(
    qtbot, monkeypatch, db, senco, tmp_path
) -> None:
    """The register's export writes its file and its audit event on the worker; the page
    says where it went once both are done."""
    from sendesk.services.evidence import exports
    from sendesk.ui.register import register_page
    from tests.factories import add_test_pupil

    add_test_pupil(db, senco, 1, provision="K", forename="Zoë")
    seen = _record_threads(monkeypatch, register_page, "write_register")
    seen |= _record_threads(monkeypatch, exports, "record_export")
    page = register_page.RegisterPage(context(db, senco))
    qtbot.addWidget(page)
    page.loading.wait()  # type: ignore[union-attr]
    target = tmp_path / "register.xlsx"
    page.export_to(target).wait()
    assert page.written.text() == f"Saved 1 pupil to {target}."
    assert target.exists()
    assert seen == {"write_register": [worker().ident], "record_export": [worker().ident]}
