"""The pupil window's Interventions tab on the demo school: enrolments, progress, hours."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QPushButton, QTableView

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import Enrolment, Role
from sendesk.services.actor import Actor, acting_user
from sendesk.services.graduated.costs import planned_vs_delivered
from sendesk.services.graduated.enrolments import enrolment_progress, pupil_enrolments
from sendesk.services.graduated.intervention_records import Progress, ProvisionHours
from sendesk.ui.graduated.progress_chart import ProgressChart
from sendesk.ui.graduated.pupil_interventions_tab import (
    ENROLMENT_HEADERS,
    HOURS_HEADERS,
    NO_ENROLMENTS,
    NOT_JUDGED,
    PupilInterventionsTab,
    band_text,
    end_text,
    hours_line,
    hours_text,
    measures_text,
)
from tests.factories import make_user, works_with
from tests.ui.screens import context, on_screen
from tests.ui.views import cells, headers, row_count

TODAY = date(2025, 3, 3)  # DEMO_TODAY: the demo_db school's (tests/ui/conftest.py)


@pytest.fixture
def senco(demo_db: Database) -> Actor:
    return acting_user(demo_db, "senco")


def pupil_with_enrolments(db: Database, actor: Actor) -> int:
    """The demo pupil with the most enrolments (ties: lowest id), some hours delivered."""
    with db.session() as s:
        ids = sorted({pid for (pid,) in s.query(Enrolment.pupil_id)})
    best: tuple[int, int] | None = None
    for pid in ids:
        hours = planned_vs_delivered(db, actor, pupil_id=pid, as_of=TODAY)
        if not any(h.delivered_minutes for h in hours):
            continue
        count = len(pupil_enrolments(db, actor, pid))
        if best is None or count > best[0]:
            best = (count, pid)
    assert best is not None, "the demo school enrolled nobody with sessions logged"
    return best[1]


def make_tab(qtbot, db: Database, actor: Actor, pupil_id: int) -> PupilInterventionsTab:  # type: ignore[no-untyped-def]
    return on_screen(qtbot, PupilInterventionsTab(context(db, actor), pupil_id, today=TODAY))


def cell(table, row: int, col: int) -> str:  # type: ignore[no-untyped-def]
    return cells(table, row)[col]


def test_enrolments_table_lists_every_enrolment(qtbot, demo_db, senco) -> None:  # type: ignore[no-untyped-def]
    pid = pupil_with_enrolments(demo_db, senco)
    enrolments = pupil_enrolments(demo_db, senco, pid)
    tab = make_tab(qtbot, demo_db, senco, pid)
    table = tab.enrolment_table
    assert row_count(table) == len(enrolments) > 0
    assert headers(table) == list(ENROLMENT_HEADERS)
    for row, e in enumerate(enrolments):
        p = enrolment_progress(demo_db, senco, e.id)
        assert cell(table, row, 0) == p.intervention_name
        assert cell(table, row, 1) == p.group_name
        assert cell(table, row, 2) == f"{e.start_date:%d/%m/%Y}"
        assert cell(table, row, 3) == end_text(e)
        assert cell(table, row, 4) == measures_text(p)
        assert cell(table, row, 5) == band_text(p)
    assert not tab.empty_label.isVisible()
    # Nothing to edit: no buttons at all.
    assert not tab.findChildren(QPushButton)


def test_selecting_a_row_shows_its_verdict_and_chart(qtbot, demo_db, senco) -> None:  # type: ignore[no-untyped-def]
    pid = pupil_with_enrolments(demo_db, senco)
    enrolments = pupil_enrolments(demo_db, senco, pid)
    tab = make_tab(qtbot, demo_db, senco, pid)
    assert tab.selected_enrolment() == enrolments[0]  # the newest is chosen at first
    for row, e in enumerate(enrolments):
        tab.enrolment_table.selectRow(row)
        expected = enrolment_progress(demo_db, senco, e.id)
        assert tab.selected_enrolment() == e
        assert expected.verdict_text in tab.verdict_label.text()
        assert tab.verdict_label.text().startswith(expected.intervention_name)
        assert tab.chart.points == expected.points
        assert tab.chart.accessibleDescription() == tab.chart.describe()
        selected = tab.hours_table.selectionModel().selectedRows()
        hours_row = [h.enrolment_id for h in tab.hours].index(e.id)
        assert [i.row() for i in selected] == [hours_row]
    assert isinstance(tab.chart, ProgressChart)
    assert not tab.chart.grab().isNull()  # paints without error


def test_hours_line_and_table_match_planned_vs_delivered(qtbot, demo_db, senco) -> None:  # type: ignore[no-untyped-def]
    pid = pupil_with_enrolments(demo_db, senco)
    hours = planned_vs_delivered(demo_db, senco, pupil_id=pid, as_of=TODAY)
    tab = make_tab(qtbot, demo_db, senco, pid)
    planned = sum(h.planned_minutes for h in hours) / 60
    delivered = sum(h.delivered_minutes for h in hours) / 60
    attended = sum(h.attended_minutes or 0 for h in hours) / 60
    text = tab.hours_label.text()
    assert text == hours_line(hours)
    assert f"{planned:.1f} hours planned" in text
    assert f"{delivered:.1f} delivered" in text
    assert f"{attended:.1f} attended" in text
    table = tab.hours_table
    assert headers(table) == list(HOURS_HEADERS)
    assert row_count(table) == len(hours)
    for row, h in enumerate(hours):
        assert cell(table, row, 0) == h.intervention_name
        assert cell(table, row, 1) == h.group_name
        assert cell(table, row, 4) == f"{h.planned_hours:.1f}"
        assert cell(table, row, 5) == f"{h.delivered_hours:.1f}"
        assert cell(table, row, 6) == hours_text(h.attended_hours)
        assert cell(table, row, 7) == str(h.not_delivered_sessions)


@pytest.mark.parametrize("role", [Role.TEACHER, Role.LEARNING_SUPPORT])
def test_staff_who_read_named_records_can_open_it(qtbot, demo_db, senco, role) -> None:  # type: ignore[no-untyped-def]
    pid = pupil_with_enrolments(demo_db, senco)
    reader = make_user(demo_db, f"reader_{role.value}", role)
    works_with(demo_db, reader, pid)
    tab = make_tab(qtbot, demo_db, reader, pid)
    assert row_count(tab.enrolment_table) == len(pupil_enrolments(demo_db, senco, pid))
    assert tab.hours_label.text() == hours_line(
        planned_vs_delivered(demo_db, senco, pupil_id=pid, as_of=TODAY)
    )
    assert not tab.findChildren(QPushButton)


def test_read_only_account_is_refused(qtbot, demo_db, senco) -> None:  # type: ignore[no-untyped-def]
    pid = pupil_with_enrolments(demo_db, senco)
    governor = make_user(demo_db, "governor", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError):
        PupilInterventionsTab(context(demo_db, governor), pid, today=TODAY)


def test_pupil_without_enrolments_says_so(qtbot, demo_db, senco) -> None:  # type: ignore[no-untyped-def]
    from sendesk.models import Pupil

    with demo_db.session() as s:
        enrolled = {pid for (pid,) in s.query(Enrolment.pupil_id)}
        pid = next(p for (p,) in s.query(Pupil.id).order_by(Pupil.id) if p not in enrolled)
    tab = make_tab(qtbot, demo_db, senco, pid)
    assert row_count(tab.enrolment_table) == 0
    assert tab.empty_label.isVisible() and tab.empty_label.text() == NO_ENROLMENTS
    assert not tab.enrolment_table.isVisible() and not tab.chart.isVisible()
    assert tab.selected_progress() is None
    assert tab.hours_label.text() == hours_line([])
    assert not tab.hours_table.isVisible()


def test_reload_keeps_the_chosen_enrolment(qtbot, demo_db, senco) -> None:  # type: ignore[no-untyped-def]
    pid = pupil_with_enrolments(demo_db, senco)
    tab = make_tab(qtbot, demo_db, senco, pid)
    last = row_count(tab.enrolment_table) - 1
    tab.enrolment_table.selectRow(last)
    chosen = tab.selected_enrolment()
    tab.reload()
    assert tab.selected_enrolment() == chosen


def test_every_control_has_an_accessible_name(qtbot, demo_db, senco) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, demo_db, senco, pupil_with_enrolments(demo_db, senco))
    for kind in (QAbstractButton, QComboBox, QTableView, ProgressChart):
        for widget in tab.findChildren(kind):
            if widget.isVisibleTo(tab):
                assert widget.accessibleName(), widget
    assert tab.verdict_label.accessibleName() and tab.hours_label.accessibleName()


def _progress(points, verdict, *, final: bool) -> Progress:  # type: ignore[no-untyped-def]
    return Progress(
        1, 1, "A Pupil", "Group", "Programme", "Standardised score", "standardised",
        date(2024, 9, 2), None, None, tuple(points), verdict, final,
    )  # fmt: skip


def test_wording_helpers() -> None:
    from sendesk.rules import progress as rules
    from sendesk.services.graduated.intervention_records import MeasurePoint

    entry = MeasurePoint(date(2024, 9, 2), 84.0, "entry")
    later = MeasurePoint(date(2024, 11, 1), 90.0)
    exit_point = MeasurePoint(date(2025, 1, 6), 95.0, "exit")
    judged = rules.verdict("standardised", 84.0, 95.0, entry.on, exit_point.on)
    assert measures_text(_progress([], None, final=False)) == "No entry measure"
    assert measures_text(_progress([entry], None, final=False)) == "84 → …"
    assert measures_text(_progress([entry, later], judged, final=False)) == "84 → 90 (so far)"
    assert measures_text(_progress([entry, later, exit_point], judged, final=True)) == "84 → 95"
    assert band_text(_progress([entry], None, final=False)) == NOT_JUDGED
    assert band_text(_progress([entry, exit_point], judged, final=True)) == judged.band
    assert band_text(_progress([entry, later], judged, final=False)) == f"{judged.band} (so far)"
    assert hours_text(None) == "" and hours_text(12.5) == "12.5" and hours_text(2) == "2.0"
    row = ProvisionHours(1, "G", "I", 1, 1, "P", date(2024, 9, 2), date(2024, 12, 20),
                         10, 300, 8, 240, 2, 7, 210)  # fmt: skip
    assert hours_line([row]) == (
        "Across 1 enrolment: 5.0 hours planned, 4.0 delivered (80% of planned), "
        "3.5 attended; 2 sessions not delivered."
    )
