"""The "Progress" tab of the pupil window: attendance per term and attainment over time.

Why it is built this way: an EHC needs assessment request asks for attendance over the
last year and for attainment "now, 6 months ago and 12 months ago" against what was
expected. The tab shows the termly attendance (with each term's percentage and the last
twelve months' total), the "now / 6 months ago / 12 months ago" table exactly as
:func:`sendesk.services.graduated.progress_data.attainment_over_time` chooses it (a gap says "No
record", never a guess), and every attainment snapshot behind it. Only the SENCo gets
the Add and Remove buttons; the services check the role again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import QLabel, QSpinBox, QWidget

from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.services.graduated.progress_data import (
    MEASURE_MAX,
    SESSIONS_MAX,
    SUBJECT_MAX,
    TERM_MAX,
    VALUE_MAX,
    AttainmentData,
    AttainmentItem,
    AttainmentPoint,
    AttainmentTrend,
    AttendanceItem,
    add_attainment,
    add_attendance,
    attainment_over_time,
    attendance_last_year,
    list_attainment,
    list_attendance,
    percentage,
    remove_attainment,
    remove_attendance,
    term_name,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.form_dialog import Field, FormDialog
from sendesk.ui.kit.record_tab import RecordList, RecordTab
from sendesk.ui.kit.table_model import ColumnSpec

NO_RECORD = "No record"


def percent_text(value: float) -> str:
    """ "93.5%" (one decimal place, as the DfE reports attendance)."""
    return f"{value:.1f}%"


def point_text(point: AttainmentPoint | None) -> str:
    """ "4- (expected 5)" over "on 12/01/2026" (two lines); "No record" for a gap."""
    if point is None:
        return NO_RECORD
    expected = f" (expected {point.expected})" if point.expected else ""
    return f"{point.value}{expected}\non {dmy(point.taken_on)}"


def current_term(today: date) -> str:
    """The term ``today`` falls in, named as :func:`term_name` names it (a suggestion)."""
    if today.month >= 9:
        return term_name(today.year, "autumn")
    season = "spring" if today.month <= 3 else "summer"
    return term_name(today.year - 1, season)


ATTENDANCE_COLUMNS: tuple[ColumnSpec[AttendanceItem], ...] = (
    ColumnSpec("Term", lambda t: t.term, sort_key=lambda t: t.term_start),
    ColumnSpec("Started", lambda t: dmy(t.term_start), sort_key=lambda t: t.term_start),
    ColumnSpec("Possible sessions", lambda t: str(t.possible_sessions), number=True),
    ColumnSpec("Attended", lambda t: str(t.attended_sessions), number=True),
    ColumnSpec("Attendance", lambda t: percent_text(t.percentage), number=True),
)
TREND_COLUMNS: tuple[ColumnSpec[AttainmentTrend], ...] = (
    ColumnSpec("Subject", lambda t: t.subject),
    ColumnSpec("Measure", lambda t: t.measure),
    ColumnSpec("Now", lambda t: point_text(t.now)),
    ColumnSpec("6 months ago", lambda t: point_text(t.six_months_ago)),
    ColumnSpec("12 months ago", lambda t: point_text(t.twelve_months_ago)),
)
SNAPSHOT_COLUMNS: tuple[ColumnSpec[AttainmentItem], ...] = (
    ColumnSpec("Subject", lambda s: s.subject),
    ColumnSpec("Measure", lambda s: s.measure),
    ColumnSpec("Date", lambda s: dmy(s.taken_on), sort_key=lambda s: s.taken_on),
    ColumnSpec("Value", lambda s: s.value),
    ColumnSpec("Expected", lambda s: s.expected),
)


@dataclass(frozen=True)
class AttendanceForm:
    """One term's attendance as copied from the MIS (the service takes it field by field)."""

    term: str
    term_start: date
    possible_sessions: int
    attended_sessions: int


class AttendanceDialog(FormDialog):
    """One term's attendance; a term already recorded has its figures replaced."""

    def __init__(
        self, ctx: AppContext, pupil_id: int, parent: QWidget | None = None, *, today: date
    ) -> None:
        def save(data: AttendanceForm) -> int:
            return add_attendance(
                ctx.db,
                ctx.actor,
                pupil_id,
                data.term,
                data.term_start,
                data.possible_sessions,
                data.attended_sessions,
            )

        fields = (
            Field("term", "&Term:", max_length=TERM_MAX, placeholder="e.g. 2025-26 autumn"),
            Field(
                "term_start",
                "&Started on:",
                attr="start",
                accessible="Term start date",
                until_today=True,
            ),
            Field(
                "possible_sessions",
                "&Possible sessions:",
                attr="possible",
                minimum=1,
                maximum=SESSIONS_MAX,
            ),
            Field(
                "attended_sessions",
                "&Attended sessions:",
                attr="attended",
                maximum=SESSIONS_MAX,
            ),
        )
        super().__init__(
            ctx,
            "Add a term's attendance",
            AttendanceForm,
            fields,
            save,
            parent,
            today=today,
            intro="Copy the figures from the MIS. Entering a term already recorded replaces "
            "its figures.",
        )
        self.term.setText(current_term(today))
        self.percentage_label = QLabel()
        self.percentage_label.setAccessibleName("Attendance percentage")
        self.form.addRow("Attendance:", self.percentage_label)
        self.possible.valueChanged.connect(self._update)
        self.attended.valueChanged.connect(self._update)
        self._update()

    possible: QSpinBox
    attended: QSpinBox

    @property
    def record_id(self) -> int | None:
        value = self.result_value
        return value if isinstance(value, int) else None

    def _update(self) -> None:
        possible, attended = self.possible.value(), self.attended.value()
        if attended > possible:
            self.percentage_label.setText("More sessions attended than possible.")
        else:
            self.percentage_label.setText(percent_text(percentage(attended, possible)))


class AttainmentDialog(FormDialog):
    """One attainment snapshot: subject, measure, value, expected value and date."""

    def __init__(
        self, ctx: AppContext, pupil_id: int, parent: QWidget | None = None, *, today: date
    ) -> None:
        fields = (
            Field("subject", "&Subject:", max_length=SUBJECT_MAX, placeholder="e.g. Reading"),
            Field(
                "measure",
                "&Measure:",
                max_length=MEASURE_MAX,
                placeholder="e.g. Teacher assessment",
            ),
            Field("value", "&Value:", max_length=VALUE_MAX),
            Field(
                "expected",
                "&Expected:",
                accessible="Expected value",
                max_length=VALUE_MAX,
                placeholder="What was expected by then",
            ),
            Field("taken_on", "&Date assessed:", until_today=True),
        )
        super().__init__(
            ctx,
            "Add an attainment snapshot",
            AttainmentData,
            fields,
            lambda data: add_attainment(ctx.db, ctx.actor, pupil_id, data, today=today),
            parent,
            today=today,
            intro='Write values as the school records them ("4-", "Working towards", "102").',
        )

    @property
    def snapshot_id(self) -> int | None:
        value = self.result_value
        return value if isinstance(value, int) else None


class ProgressTab(RecordTab):
    """A pupil's attendance and attainment. Raises SendeskError when they may not be read."""

    def build(self) -> None:
        ctx = self.ctx
        self.editable = ctx.may(Action.RECORD_PROGRESS)
        action = Action.RECORD_PROGRESS

        # --- attendance ---------------------------------------------------------------
        terms: RecordList[AttendanceItem] = RecordList(
            "Attendance", ATTENDANCE_COLUMNS, "Attendance per term", intro=" "
        )
        self.attendance_list = terms
        self.attendance_summary = terms.intro
        self.attendance_summary.setAccessibleName("Attendance over the last 12 months")
        self.attendance_table = terms.view
        self.attendance_table.horizontalHeader().setStretchLastSection(False)
        self.add_term_button, self.remove_term_button = terms.offer_row(
            ctx,
            (action, "Add &term…", "Add a term's attendance", self.add_term),
            (action, "Remove t&erm", "Remove the selected term's attendance", self.remove_term),
        )
        self.layout_.addWidget(terms, 1)

        # --- attainment ---------------------------------------------------------------
        self.trend_list: RecordList[AttainmentTrend] = RecordList(
            "Attainment",
            TREND_COLUMNS,
            "Attainment now, 6 months ago and 12 months ago",
            intro="Now, 6 months ago and 12 months ago: the snapshot nearest each date (within "
            "about a term), with what was expected.",
            key=lambda t: (t.subject, t.measure),
        )
        self.trend_table = self.trend_list.view
        self.layout_.addWidget(self.trend_list, 1)
        snaps: RecordList[AttainmentItem] = RecordList(
            "All snapshots",
            SNAPSHOT_COLUMNS,
            "Attainment snapshots",
            empty="No attainment recorded."
            + (" Add a snapshot, or import the MIS export." if self.editable else ""),
        )
        self.snapshot_list = snaps
        self.snapshot_table, self.attainment_empty_label = snaps.view, snaps.empty_label
        self.add_snapshot_button, self.remove_snapshot_button = snaps.offer_row(
            ctx,
            (action, "Add &snapshot…", "Add an attainment snapshot", self.add_snapshot),
            (
                action,
                "Remove s&napshot",
                "Remove the selected attainment snapshot",
                self.remove_snapshot,
            ),
        )
        self.layout_.addWidget(snaps, 1)
        self.layout_.addStretch(0)  # takes the spare height when every list is empty

    # --- showing --------------------------------------------------------------------------

    @property
    def attendance(self) -> list[AttendanceItem]:
        return self.attendance_list.rows

    @property
    def snapshots(self) -> list[AttainmentItem]:
        return self.snapshot_list.rows

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        self.attendance_list.set_rows(list_attendance(db, actor, self.pupil_id))
        summary = attendance_last_year(db, actor, self.pupil_id, self.today)
        if summary.percentage is None:
            self.attendance_summary.setText(
                "No attendance recorded for terms that started in the last 12 months."
                + (" Add each term with Add term." if self.editable else "")
            )
        else:
            terms = len(summary.terms)
            self.attendance_summary.setText(
                f"Last 12 months: {percent_text(summary.percentage)} "
                f"({summary.attended_sessions} of {summary.possible_sessions} sessions, "
                f"{terms} term{'s' if terms != 1 else ''})."
            )
        self.trend_list.set_rows(attainment_over_time(db, actor, self.pupil_id, self.today))
        self.snapshot_list.set_rows(list_attainment(db, actor, self.pupil_id))
        self.stretch((self.attendance_list, 1), (self.trend_list, 1), (self.snapshot_list, 1))

    def selected_term(self) -> AttendanceItem | None:
        return self.attendance_list.selected()

    def selected_snapshot(self) -> AttainmentItem | None:
        return self.snapshot_list.selected()

    # --- actions --------------------------------------------------------------------------

    def add_term(self) -> None:
        if self.editable:
            dialog = AttendanceDialog(self.ctx, self.pupil_id, self, today=self.today)
            self.open_form(dialog, self.attendance_list)

    def remove_term(self) -> None:
        term = self.selected_term()
        if term is None or not self.editable:
            return
        self.change(
            lambda: remove_attendance(self.ctx.db, self.ctx.actor, term.id),
            f"Remove the attendance for {term.term}?",
        )

    def add_snapshot(self) -> None:
        if self.editable:
            dialog = AttainmentDialog(self.ctx, self.pupil_id, self, today=self.today)
            self.open_form(dialog, self.snapshot_list)

    def remove_snapshot(self) -> None:
        snap = self.selected_snapshot()
        if snap is None or not self.editable:
            return
        self.change(
            lambda: remove_attainment(self.ctx.db, self.ctx.actor, snap.id),
            f"Remove the {snap.subject} ({snap.measure}) snapshot of {dmy(snap.taken_on)}?",
        )


__all__ = [
    "AttainmentDialog",
    "AttendanceDialog",
    "ProgressTab",
    "current_term",
    "percent_text",
    "point_text",
]
