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
from typing import NamedTuple

from PySide6.QtCore import Qt

from sendesk.rules.dates import dmy
from sendesk.services.graduated.costs import planned_vs_delivered
from sendesk.services.graduated.enrolments import enrolment_progress, pupil_enrolments
from sendesk.services.graduated.intervention_records import EnrolmentItem, Progress, ProvisionHours
from sendesk.ui.graduated.progress_chart import ProgressChart
from sendesk.ui.kit.forms import sentence_label
from sendesk.ui.kit.record_tab import RecordList, RecordTab
from sendesk.ui.kit.table_model import ColumnSpec

NO_ENROLMENTS = "This pupil has not been enrolled in any intervention."
CHOOSE = "Choose an intervention above to see its progress."
NOT_JUDGED = "Not judged"


def hours_text(value: float | None) -> str:
    """ "12.5" (hours to one decimal place); "" when there is nothing to show."""
    return "" if value is None else f"{value:.1f}"


def end_text(enrolment: EnrolmentItem) -> str:
    """ "Ended 04/04/2025", "Planned 04/04/2025", or "Ongoing"."""
    if enrolment.end_date is not None:
        return f"Ended {dmy(enrolment.end_date)}"
    if enrolment.planned_end is not None:
        return f"Planned {dmy(enrolment.planned_end)}"
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


class EnrolmentRow(NamedTuple):
    """One enrolment with its progress: a row of the interventions table."""

    enrolment: EnrolmentItem
    progress: Progress


ENROLMENT_COLUMNS: tuple[ColumnSpec[EnrolmentRow], ...] = (
    ColumnSpec("Intervention", lambda r: r.progress.intervention_name),
    ColumnSpec("Group", lambda r: r.progress.group_name),
    ColumnSpec("Started", lambda r: dmy(r.enrolment.start_date)),
    ColumnSpec("Ended / planned end", lambda r: end_text(r.enrolment)),
    ColumnSpec(
        "Entry → exit", lambda r: measures_text(r.progress), tooltip=lambda r: r.progress.measure
    ),
    ColumnSpec("Verdict", lambda r: band_text(r.progress)),
)
HOURS_COLUMNS: tuple[ColumnSpec[ProvisionHours], ...] = (
    ColumnSpec("Intervention", lambda h: h.intervention_name),
    ColumnSpec("Group", lambda h: h.group_name),
    ColumnSpec("From", lambda h: dmy(h.period_start)),
    ColumnSpec("To", lambda h: dmy(h.period_end)),
    ColumnSpec("Planned hours", lambda h: hours_text(h.planned_hours), number=True),
    ColumnSpec("Delivered hours", lambda h: hours_text(h.delivered_hours), number=True),
    ColumnSpec("Attended hours", lambda h: hours_text(h.attended_hours), number=True),
    ColumnSpec("Sessions not delivered", lambda h: str(h.not_delivered_sessions), number=True),
)
ENROLMENT_HEADERS = tuple(c.header for c in ENROLMENT_COLUMNS)
HOURS_HEADERS = tuple(c.header for c in HOURS_COLUMNS)


class PupilInterventionsTab(RecordTab):
    """A pupil's interventions, progress and hours. Raises SendeskError when refused.

    ``changed`` is never emitted (nothing is edited here); every pupil tab has it."""

    def build(self) -> None:

        # --- enrolments and progress --------------------------------------------------
        self.enrolment_list: RecordList[EnrolmentRow] = RecordList(
            "Interventions and progress",
            ENROLMENT_COLUMNS,
            "Interventions this pupil was enrolled in",
            empty=NO_ENROLMENTS,
            key=lambda r: r.enrolment.id,
        )
        box = self.enrolment_list
        self.enrolment_table, self.empty_label = box.view, box.empty_label
        self.empty_label.setAccessibleName("No interventions")
        box.selection_changed.connect(self._show_selected)
        self.verdict_label = sentence_label("Progress verdict", CHOOSE)
        box.box.addWidget(self.verdict_label)
        self.chart = ProgressChart()
        box.box.addWidget(self.chart, 2)
        self.layout_.addWidget(box, 3)

        # --- sessions -----------------------------------------------------------------
        self.hours_list: RecordList[ProvisionHours] = RecordList(
            "Sessions: hours planned, delivered and attended",
            HOURS_COLUMNS,
            "Hours planned, delivered and attended",
            intro=" ",
            key=lambda h: h.enrolment_id,
        )
        self.hours_label, self.hours_table = self.hours_list.intro, self.hours_list.view
        self.hours_label.setAccessibleName("Hours planned, delivered and attended")
        self.hours_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hours_table.horizontalHeader().setStretchLastSection(False)
        self.layout_.addWidget(self.hours_list, 1)

    # --- showing --------------------------------------------------------------------------

    @property
    def enrolments(self) -> list[EnrolmentItem]:
        return [r.enrolment for r in self.enrolment_list.rows]

    @property
    def hours(self) -> list[ProvisionHours]:
        return self.hours_list.rows

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        enrolments = pupil_enrolments(db, actor, self.pupil_id)
        rows = [EnrolmentRow(e, enrolment_progress(db, actor, e.id)) for e in enrolments]
        hours = planned_vs_delivered(db, actor, pupil_id=self.pupil_id, as_of=self.today)
        self.hours_label.setText(hours_line(hours))
        self.hours_list.set_rows(hours)
        self.enrolment_list.set_rows(rows)
        self.verdict_label.setVisible(bool(rows))
        self.chart.setVisible(bool(rows))
        self._show_selected()

    def selected_enrolment(self) -> EnrolmentItem | None:
        row = self.enrolment_list.selected()
        return None if row is None else row.enrolment

    def selected_progress(self) -> Progress | None:
        row = self.enrolment_list.selected()
        return None if row is None else row.progress

    def _show_selected(self) -> None:
        p = self.selected_progress()
        if p is None:
            self.verdict_label.setText(CHOOSE)
        else:
            self.verdict_label.setText(
                f"{p.intervention_name} — {p.group_name}. Measured by {p.measure}. {p.verdict_text}"
            )
            self.hours_list.select(p.enrolment_id)
        self.chart.set_progress(p)


__all__ = [
    "PupilInterventionsTab",
    "band_text",
    "end_text",
    "hours_line",
    "hours_text",
    "measures_text",
]
