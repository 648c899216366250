"""Every control a user can reach has a name a screen reader can say, and takes focus."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from sendesk.services.register.register_view import register_rows
from sendesk.ui.app import open_demo
from sendesk.ui.main_window import MainWindow
from sendesk.ui.pupil_window import PupilWindow
from sendesk.ui.register.add_pupil_dialog import AddPupilDialog
from sendesk.ui.register.import_dialog import ImportDialog
from sendesk.ui.register.pupil_tabs import LAZY_TABS
from sendesk.ui.school.setup_wizard import SetupWizard

INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QAbstractItemView)


def unnamed_controls(root: QWidget) -> list[str]:
    """Describe each focusable control with neither an accessible name nor its own text."""
    missing = []
    for widget in root.findChildren(QWidget):
        if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
            continue  # Qt's own parts (corner button, headers: sorted from a context menu)
        if _inside(widget, (QComboBox, QAbstractSpinBox)):
            continue  # a combo's pop-up list or a date box's editor: the box has the name
        named = bool(widget.accessibleName())
        if isinstance(widget, QAbstractButton):
            named = named or bool(widget.text().replace("&", "").strip())
            if not named and not widget.isVisibleTo(root):
                continue
        elif isinstance(widget, INPUTS):
            if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                missing.append(f"{type(widget).__name__} cannot take keyboard focus")
        else:
            continue
        if not named and widget.isEnabled():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} has no name")
    return missing


def _inside(widget: QWidget, kinds: tuple[type, ...]) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parentWidget()
    return False


@pytest.fixture
def demo(qtbot, tmp_path: Path):
    ctx = open_demo(tmp_path, pupils=60)
    assert ctx is not None
    yield ctx
    ctx.db.dispose()


def test_main_window_and_pupil_window_controls_are_named(qtbot, demo) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    for title in window.pages:  # pages are made when first shown: make them all
        window.page(title)
    assert None not in window.pages.values()
    assert unnamed_controls(window) == []
    pupil_id = register_rows(demo.db, demo.actor)[0].pupil_id
    pupil = PupilWindow(demo, pupil_id)
    qtbot.addWidget(pupil)
    for key, *_rest in LAZY_TABS:  # tabs are made when first shown: make them all
        pupil.tab(key)
    assert unnamed_controls(pupil) == []


def test_dialogs_controls_are_named(qtbot, demo, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SENDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    from sendesk.ui.staff.teaching_groups_dialog import TeachingGroupsDialog

    groups = TeachingGroupsDialog(demo)
    for dialog in (AddPupilDialog(demo), ImportDialog(demo), SetupWizard(), groups):
        qtbot.addWidget(dialog)
        assert unnamed_controls(dialog) == [], type(dialog).__name__


def test_ehc_screens_controls_are_named(qtbot, demo) -> None:
    from sendesk.services.ehc.plans import list_plans
    from sendesk.services.ehc.requests import list_requests
    from sendesk.ui.ehc.ehc_plan_dialog import CeaseDialog, PlanDialog, ReviewDialog
    from sendesk.ui.ehc.ehc_request_dialog import ExceptionDialog, RequestDialog, StepDialog
    from sendesk.ui.ehc.la_profiles_dialog import LaProfilesDialog
    from sendesk.ui.ehc.pack_wizard import PackWizard

    rows = register_rows(demo.db, demo.actor)
    request = next(
        r
        for row in rows
        for r in list_requests(demo.db, demo.actor, row.pupil_id)
        if r.clock_start is not None
    )
    plan = next(p for row in rows for p in list_plans(demo.db, demo.actor, row.pupil_id))
    pupil_id = request.pupil_id
    wizard = PackWizard(demo, pupil_id)
    dialogs = [
        LaProfilesDialog(demo),
        RequestDialog(demo, pupil_id, request),
        StepDialog(demo, request),
        ExceptionDialog(demo, request),
        PlanDialog(demo, plan.pupil_id, plan),
        ReviewDialog(demo, plan, plan.reviews[-1] if plan.reviews else None),
        CeaseDialog(demo, plan),
        wizard,
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        if hasattr(dialog, "opened_state"):
            dialog.opened_state = dialog.state()  # type: ignore[attr-defined]
        assert unnamed_controls(dialog) == [], type(dialog).__name__
    for page_id in wizard.pageIds():
        wizard.page(page_id).initializePage()
        assert unnamed_controls(wizard) == [], type(wizard.page(page_id)).__name__


def test_the_check_finds_an_unnamed_control(qtbot) -> None:
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    layout.addWidget(QLineEdit())
    layout.addWidget(QPushButton("Save"))
    assert unnamed_controls(root) == ["QLineEdit '' has no name"]
