"""The "Interventions" tab of the pupil window: what was tried, with what effect, how often.

Why it is built this way: an EHC needs assessment request asks what the school has tried,
for how long and with what result. The tab lists every enrolment of the pupil (newest
first) with its entry and exit measures and the verdict band from
:func:`sendesk.services.graduated.enrolments.enrolment_progress`; choosing one shows the verdict
sentence and the measures over time (the same :class:`ProgressChart` the Interventions
page draws). Below, the hours planned, delivered and attended per enrolment, exactly as
:func:`sendesk.services.graduated.costs.planned_vs_delivered` works them out from
the session
log (never from the plan alone). Nothing is edited here: enrolments and measures are the
SENCo's, on the Interventions page. Anyone who may read named pupil records may open it;
the services refuse anyone else (PermissionDeniedError propagates out of the constructor).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sendesk.services.graduated.costs import planned_vs_delivered
from sendesk.services.graduated.enrolments import enrolment_progress, pupil_enrolments
from sendesk.services.graduated.intervention_records import EnrolmentItem, Progress, ProvisionHours
from sendesk.ui.context import AppContext
from sendesk.ui.graduated.interventions_page import ProgressChart
from sendesk.ui.tables import read_only_item as _item
from sendesk.ui.tables import read_only_table as _table

ENROLMENT_HEADERS = (
    "Intervention",
    "Group",
    "Started",
    "Ended / planned end",
    "Entry → exit",
    "Verdict",
)
HOURS_HEADERS = (
    "Intervention",
    "Group",
    "From",
    "To",
    "Planned hours",
    "Delivered hours",
    "Attended hours",
    "Sessions not delivered",
)
NO_ENROLMENTS = "This pupil has not been enrolled in any intervention."
CHOOSE = "Choose an intervention above to see its progress."
NOT_JUDGED = "Not judged"


def _dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else ""


def hours_text(value: float | None) -> str:
    """ "12.5" (hours to one decimal place); "" when there is nothing to show."""
    return "" if value is None else f"{value:.1f}"


def end_text(enrolment: EnrolmentItem) -> str:
    """ "Ended 04/04/2025", "Planned 04/04/2025", or "Ongoing"."""
    if enrolment.end_date is not None:
        return f"Ended {_dmy(enrolment.end_date)}"
    if enrolment.planned_end is not None:
        return f"Planned {_dmy(enrolment.planned_end)}"
    return "Ongoing"


def measures_text(progress: Progress) -> str:
    """ "7y 2m → 7y 9m", the latest measure marked "(so far)" while still in the group."""
    entry = next((p for p in progress.points if p.label == "entry"), None)
    if entry is None:
        return "No entry measure"
    exit_point = next((p for p in progress.points if p.label == "exit"), None)
    if exit_point is not None:
        return f"{progress.formatted(entry.value)} → {progress.formatted(exit_point.value)}"
    later = [p for p in progress.points if p is not entry and p.on >= entry.on]
    if not later:
        return f"{progress.formatted(entry.value)} → …"
    return f"{progress.formatted(entry.value)} → {progress.formatted(later[-1].value)} (so far)"


def band_text(progress: Progress) -> str:
    """The verdict band ("useful impact"), "(so far)" before the exit; "Not judged" without."""
    verdict = progress.verdict
    if verdict is None or verdict.band is None:
        return NOT_JUDGED
    return verdict.band if progress.final else f"{verdict.band} (so far)"


def hours_line(rows: Sequence[ProvisionHours]) -> str:
    """One sentence totalling planned, delivered and attended hours over ``rows``."""
    if not rows:
        return "No sessions were planned for this pupil."
    planned = sum(r.planned_hours for r in rows)
    delivered = sum(r.delivered_hours for r in rows)
    attended = sum(r.attended_hours or 0.0 for r in rows)
    missed = sum(r.not_delivered_sessions for r in rows)
    count = len(rows)
    share = f" ({delivered / planned * 100:.0f}% of planned)" if planned > 0 else ""
    return (
        f"Across {count} enrolment{'s' if count != 1 else ''}: {hours_text(planned)} hours "
        f"planned, {hours_text(delivered)} delivered{share}, {hours_text(attended)} attended; "
        f"{missed} session{'s' if missed != 1 else ''} not delivered."
    )


def _fill(table: QTableWidget, rows: list[list[QTableWidgetItem]], keep: int | None) -> None:
    table.blockSignals(True)
    table.clearSelection()
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, item in enumerate(row):
            table.setItem(r, c, item)
    table.resizeRowsToContents()
    if rows:
        table.selectRow(keep if keep is not None and keep < len(rows) else 0)
    table.blockSignals(False)


def _selected_row(table: QTableWidget, count: int) -> int | None:
    rows = table.selectionModel().selectedRows()
    if not rows or rows[0].row() >= count:
        return None
    return rows[0].row()


class PupilInterventionsTab(QWidget):
    """A pupil's interventions, progress and hours. Raises SendeskError when refused."""

    changed = Signal()
    """Never emitted (nothing is edited here); kept so every pupil tab looks the same."""

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pupil_id = ctx, pupil_id
        self.today = today or date.today()
        self.enrolments: list[EnrolmentItem] = []
        self.progress: dict[int, Progress] = {}
        self.hours: list[ProvisionHours] = []

        layout = QVBoxLayout(self)

        # --- enrolments and progress --------------------------------------------------
        progress_box = QGroupBox("Interventions and progress")
        box = QVBoxLayout(progress_box)
        self.empty_label = QLabel(NO_ENROLMENTS)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName("No interventions")
        box.addWidget(self.empty_label)
        self.enrolment_table = _table(ENROLMENT_HEADERS, "Interventions this pupil was enrolled in")
        self.enrolment_table.itemSelectionChanged.connect(self._show_selected)
        box.addWidget(self.enrolment_table, 1)
        self.verdict_label = QLabel(CHOOSE)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setAccessibleName("Progress verdict")
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.verdict_label)
        self.chart = ProgressChart()
        box.addWidget(self.chart, 2)
        layout.addWidget(progress_box, 3)

        # --- sessions -----------------------------------------------------------------
        hours_box = QGroupBox("Sessions: hours planned, delivered and attended")
        box = QVBoxLayout(hours_box)
        self.hours_label = QLabel()
        self.hours_label.setWordWrap(True)
        self.hours_label.setAccessibleName("Hours planned, delivered and attended")
        self.hours_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.hours_label)
        self.hours_table = _table(HOURS_HEADERS, "Hours planned, delivered and attended")
        self.hours_table.horizontalHeader().setStretchLastSection(False)
        box.addWidget(self.hours_table, 1)
        layout.addWidget(hours_box, 1)

        self.reload()

    # --- showing --------------------------------------------------------------------------

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        keep = self.selected_enrolment()
        enrolments = pupil_enrolments(db, actor, self.pupil_id)
        progress = {e.id: enrolment_progress(db, actor, e.id) for e in enrolments}
        hours = planned_vs_delivered(db, actor, pupil_id=self.pupil_id, as_of=self.today)
        self.enrolments, self.progress, self.hours = enrolments, progress, hours

        ids = [e.id for e in enrolments]
        _fill(
            self.enrolment_table,
            [
                [
                    _item(progress[e.id].intervention_name),
                    _item(progress[e.id].group_name),
                    _item(_dmy(e.start_date)),
                    _item(end_text(e)),
                    _item(measures_text(progress[e.id]), progress[e.id].measure),
                    _item(band_text(progress[e.id])),
                ]
                for e in enrolments
            ],
            ids.index(keep.id) if keep is not None and keep.id in ids else None,
        )
        self.enrolment_table.setVisible(bool(enrolments))
        self.empty_label.setVisible(not enrolments)
        self.verdict_label.setVisible(bool(enrolments))
        self.chart.setVisible(bool(enrolments))

        self.hours_label.setText(hours_line(hours))
        _fill(
            self.hours_table,
            [
                [
                    _item(h.intervention_name),
                    _item(h.group_name),
                    _item(_dmy(h.period_start)),
                    _item(_dmy(h.period_end)),
                    _item(hours_text(h.planned_hours), number=True),
                    _item(hours_text(h.delivered_hours), number=True),
                    _item(hours_text(h.attended_hours), number=True),
                    _item(str(h.not_delivered_sessions), number=True),
                ]
                for h in hours
            ],
            None,
        )
        self.hours_table.setVisible(bool(hours))
        self._show_selected()

    def selected_enrolment(self) -> EnrolmentItem | None:
        row = _selected_row(self.enrolment_table, len(self.enrolments))
        return None if row is None else self.enrolments[row]

    def selected_progress(self) -> Progress | None:
        enrolment = self.selected_enrolment()
        return None if enrolment is None else self.progress.get(enrolment.id)

    def _show_selected(self) -> None:
        p = self.selected_progress()
        if p is None:
            self.verdict_label.setText(CHOOSE)
        else:
            self.verdict_label.setText(
                f"{p.intervention_name} — {p.group_name}. Measured by {p.measure}. {p.verdict_text}"
            )
            rows = [i for i, h in enumerate(self.hours) if h.enrolment_id == p.enrolment_id]
            if rows:
                self.hours_table.selectRow(rows[0])
        self.chart.set_progress(p)


__all__ = [
    "PupilInterventionsTab",
    "band_text",
    "end_text",
    "hours_line",
    "hours_text",
    "measures_text",
]
