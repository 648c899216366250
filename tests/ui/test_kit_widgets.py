"""The kit's widgets with real services: a form built from a service's dataclass (an empty
date, the service's sentence shown, the save on the worker thread), a record list that
keeps its selection and offers buttons by permission, and an export of exactly what a
filtered page shows."""

from __future__ import annotations

import csv
import threading
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from sendesk.db import Database
from sendesk.models import Role
from sendesk.rules.permissions import Action
from sendesk.services.actor import Actor
from sendesk.services.evidence.agencies import (
    InvolvementData,
    InvolvementItem,
    add_involvement,
    get_involvement,
    list_involvements,
    update_involvement,
)
from sendesk.services.graduated.progress_data import AttainmentData, add_attainment
from sendesk.ui.context import AppContext
from sendesk.ui.kit.dates import OptionalDate, to_qdate
from sendesk.ui.kit.filtered_page import FilteredPage
from sendesk.ui.kit.form_dialog import TEXT, Field, FormDialog
from sendesk.ui.kit.record_tab import RecordList
from sendesk.ui.kit.table_model import ColumnSpec
from tests.factories import make_user, works_with
from tests.ui.export_audit import export_details
from tests.ui.screens import context, on_screen
from tests.ui.views import all_cells, cells

TODAY = date(2026, 1, 15)


def teacher(db: Database, senco: Actor, pupil_id: int) -> Actor:
    actor = make_user(db, "t1", Role.TEACHER, "Teacher One")
    works_with(db, actor, pupil_id)
    return actor


def involvement_form(ctx: AppContext, pupil_id: int, threads: list[int]) -> FormDialog:
    def save(data: InvolvementData) -> int:
        threads.append(threading.get_ident())
        return add_involvement(ctx.db, ctx.actor, pupil_id, data, today=TODAY)

    return FormDialog(
        ctx,
        "Add agency involvement",
        InvolvementData,
        (
            Field("agency", "&Agency:"),
            Field("referral_date", "&Referred on:", until_today=True),
            Field("seen_date", "&Seen on:", not_yet="Not y&et"),
            Field("advice", "A&dvice:", kind=TEXT),
        ),
        save,
        today=TODAY,
    )


def test_editors_follow_the_dataclass_types(qtbot, db, senco, pupil_id) -> None:
    dialog = involvement_form(context(db, senco), pupil_id, [])
    qtbot.addWidget(dialog)
    assert isinstance(dialog.agency, QLineEdit)  # str
    assert isinstance(dialog.seen_date, OptionalDate)  # date | None
    assert isinstance(dialog.advice, QPlainTextEdit)  # asked for as several lines
    assert dialog.referral_date.edit.maximumDate() == to_qdate(TODAY)
    assert dialog.seen_date.not_yet.text() == "Not y&et"
    assert dialog.agency.accessibleName() == "Agency"
    assert dialog.windowTitle() == "Add agency involvement — SENDesk"


def test_an_empty_date_is_saved_as_none_on_the_worker(qtbot, db, senco, pupil_id) -> None:
    threads: list[int] = []
    dialog = involvement_form(context(db, senco), pupil_id, threads)
    qtbot.addWidget(dialog)
    dialog.agency.setText("CAMHS")
    dialog.referral_date.edit.setDate(to_qdate(date(2025, 12, 1)))
    dialog.seen_date.set_value(None)
    assert not dialog.seen_date.edit.isEnabled()
    dialog.advice.setPlainText("Wait list.\nReview in spring.")
    with qtbot.waitSignal(dialog.stored) as saved:
        dialog.accept()
    assert threads and threads[0] != threading.get_ident()  # not the GUI thread
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = get_involvement(db, senco, saved.args[0])
    assert (stored.agency, stored.referral_date, stored.seen_date) == (
        "CAMHS",
        date(2025, 12, 1),
        None,
    )
    assert stored.advice == "Wait list.\nReview in spring."


def test_the_services_sentence_is_shown_and_the_dialog_stays(
    qtbot, db, senco, pupil_id, warnings
) -> None:
    ctx = context(db, senco)
    dialog = FormDialog(
        ctx,
        "Add an attainment snapshot",
        AttainmentData,
        (
            Field("subject", "&Subject:"),
            Field("measure", "&Measure:"),
            Field("value", "&Value:"),
            Field("expected", "&Expected:"),
            Field("taken_on", "&Date assessed:"),
        ),
        lambda data: add_attainment(ctx.db, ctx.actor, pupil_id, data, today=TODAY),
        today=TODAY,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.subject.setText("Maths")
    dialog.measure.setText("Test")
    dialog.accept()
    dialog.save_op.wait()
    assert warnings == ["The value is missing."]
    assert dialog.problem.isVisible() and dialog.problem.text() == "The value is missing."
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.subject.text() == "Maths"  # what was typed is kept
    assert dialog.button_box.isEnabled()


def test_a_conflict_closes_the_dialog_and_says_so(qtbot, db, senco, pupil_id, warnings) -> None:
    ctx = context(db, senco)
    inv_id = add_involvement(db, senco, pupil_id, InvolvementData("CAMHS"), today=TODAY)
    item = get_involvement(db, senco, inv_id)
    update_involvement(db, senco, inv_id, item.version, InvolvementData("CAMHS", "Dr O"))
    dialog = FormDialog(
        ctx,
        "Edit agency involvement",
        InvolvementData,
        (Field("agency", "&Agency:"), Field("professional", "&Professional:")),
        lambda data: update_involvement(db, senco, inv_id, item.version, data, today=TODAY),
        today=TODAY,
    )
    qtbot.addWidget(dialog)
    dialog.load(item)
    assert dialog.professional.text() == ""
    with qtbot.waitSignal(dialog.conflicted):
        dialog.accept()
    assert len(warnings) == 1 and warnings[0].endswith(".")
    assert dialog.result() == dialog.DialogCode.Rejected
    assert get_involvement(db, senco, inv_id).professional == "Dr O"


def involvement_list(ctx: AppContext) -> RecordList[InvolvementItem]:
    return RecordList(
        "Agency involvement",
        (
            ColumnSpec("Agency", lambda i: i.agency),
            ColumnSpec("Professional", lambda i: i.professional),
        ),
        "Agency involvements",
        empty="No agency involvement recorded.",
        details=lambda i: i.advice,
    )


def test_a_record_list_keeps_its_selection_and_offers_by_permission(
    qtbot, db, senco, pupil_id
) -> None:
    for agency, advice in (("CAMHS", "Wait list."), ("School nurse", "Care plan.")):
        add_involvement(db, senco, pupil_id, InvolvementData(agency, advice=advice), today=TODAY)
    ctx = context(db, senco)
    records = on_screen(qtbot, involvement_list(ctx))
    add = records.offer(
        ctx, Action.EDIT_AGENCY_ADVICE, "&Add…", "Add", lambda: None, needs_selection=False
    )
    edit = records.offer(ctx, Action.EDIT_AGENCY_ADVICE, "&Edit…", "Edit", lambda: None)
    records.buttons(add, edit)
    records.set_rows([])
    assert records.empty_label.isVisible() and not records.view.isVisible()
    assert add is not None and edit is not None
    assert add.isEnabled() and not edit.isEnabled()  # nothing to edit yet

    rows = list_involvements(db, senco, pupil_id)
    records.set_rows(rows)
    assert not records.empty_label.isVisible()
    assert [r[0] for r in all_cells(records.view)] == [r.agency for r in rows]
    nurse = next(r for r in rows if r.agency == "School nurse")
    assert records.select(nurse.id) and edit.isEnabled()
    assert records.details is not None and records.details.text() == "Care plan."
    add_involvement(db, senco, pupil_id, InvolvementData("Art therapy"), today=TODAY)
    records.set_rows(list_involvements(db, senco, pupil_id))  # a reload: the nurse stays
    assert records.selected() is not None and records.selected().id == nurse.id

    other = teacher(db, senco, pupil_id)
    read_only = involvement_list(context(db, other))
    qtbot.addWidget(read_only)
    offered = read_only.offer(
        context(db, other),
        Action.EDIT_AGENCY_ADVICE,
        "&Add…",
        "Add",
        lambda: None,
    )
    assert offered is None


def test_export_writes_exactly_the_columns_and_rows_shown(
    qtbot, db, senco, pupil_id, tmp_path: Path
) -> None:
    for agency in ("CAMHS", "School nurse", "Educational psychologist"):
        add_involvement(db, senco, pupil_id, InvolvementData(agency, "=HYPERLINK(1)"), today=TODAY)
    ctx = context(db, senco)
    health = QComboBox()
    page: FilteredPage[InvolvementItem] = FilteredPage(
        ctx,
        (
            ColumnSpec("Agency", lambda i: i.agency),
            ColumnSpec("Professional", lambda i: i.professional),
        ),
        "Involvements",
        what="involvements",
        accepts=lambda i: health.currentIndex() == 0 or i.agency != "CAMHS",
        pupils=lambda rows: len({r.pupil_id for r in rows}),
    )
    qtbot.addWidget(page)
    page.filters.addWidget(health)
    health.addItems(["All", "Not CAMHS"])
    health.currentIndexChanged.connect(page.refilter)
    page.set_rows(list_involvements(db, senco, pupil_id))
    health.setCurrentIndex(1)
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    shown = all_cells(page.view)
    assert [r[0] for r in shown] == ["Educational psychologist", "School nurse"]

    target = tmp_path / "involvements.csv"
    with qtbot.waitSignal(page.exported):
        page.export_to(target)
    with target.open(encoding="utf-8-sig", newline="") as fh:
        written = list(csv.reader(fh))
    assert written[0] == ["Agency", "Professional"]
    assert [r[0] for r in written[1:]] == [r[0] for r in shown]
    assert written[1][1] == "'=HYPERLINK(1)"  # never run as a formula
    assert page.written.text() == f"Saved 2 rows to {target}."
    assert export_details(db) == [{"what": "involvements", "pupils": 1, "file": target.name}]
    assert cells(page.view, 0)[0] == "Educational psychologist"
