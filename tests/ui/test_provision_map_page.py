"""The costed provision map page: whole school, one pupil, exports, threshold and import."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from sendesk.db import Database
from sendesk.models import Enrolment, Pupil, Role
from sendesk.services.actor import Actor, acting_user
from sendesk.services.graduated.provision_map import pupil_provision
from sendesk.services.school.settings import notional_threshold_pence
from sendesk.ui.graduated.provision_map_page import ProvisionMapPage, pounds, threshold_sentence
from tests.factories import make_user
from tests.ui.export_audit import export_details
from tests.ui.screens import context, on_screen

TODAY = date(2025, 3, 3)  # DEMO_TODAY: the demo_db school's (tests/ui/conftest.py)
YEAR = 2024


@pytest.fixture
def senco(demo_db: Database) -> Actor:
    return acting_user(demo_db, "senco")


@pytest.fixture
def governor(demo_db: Database) -> Actor:
    return make_user(demo_db, "governor", Role.READ_ONLY, "A Governor")


@pytest.fixture
def open_page(qtbot, demo_db: Database):  # type: ignore[no-untyped-def]
    def opener(actor: Actor) -> ProvisionMapPage:
        page = on_screen(qtbot, ProvisionMapPage(context(demo_db, actor), today=TODAY))
        page.loading.wait()  # the pupils and the maps are read on the worker thread
        return page

    return opener


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Every message box the page shows, as (kind, title, text); none is opened."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("information", "warning", "critical"):

        def fake(_parent: Any, title: str, text: str, *_a: Any, _kind: str = kind) -> Any:
            shown.append((_kind, title, text))
            return QMessageBox.StandardButton.Ok

        monkeypatch.setattr(QMessageBox, kind, staticmethod(fake))
    return shown


def pupil_with_sessions(db: Database, actor: Actor) -> int:
    """A pupil whose support this year cost something."""
    with db.session() as s:
        ids = sorted({pid for (pid,) in s.query(Enrolment.pupil_id)})
    for pid in ids:
        if pupil_provision(db, actor, pid, YEAR).total_cost_pence > 0:
            return pid
    raise AssertionError("the demo school logged no sessions this year")


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(path), ""))
    )


def cell_text(page: ProvisionMapPage, model_name: str, row: int, col: int) -> str:
    model = getattr(page, model_name)
    return str(model.data(model.index(row, col)))


def test_pounds_and_sentence_wording() -> None:
    assert pounds(421_000) == "£4,210"
    assert pounds(421_050) == "£4,210.50"


def test_year_choices_are_this_year_and_four_before(open_page, senco) -> None:  # type: ignore[no-untyped-def]
    page = open_page(senco)
    labels = [page.year_combo.itemText(i) for i in range(page.year_combo.count())]
    assert labels == ["2024–25", "2023–24", "2022–23", "2021–22", "2020–21"]
    assert page.academic_year_start == YEAR
    assert page.year_combo.accessibleName() == "Academic year"


def test_whole_school_shows_interventions_with_cost(open_page, senco) -> None:  # type: ignore[no-untyped-def]
    page = open_page(senco)
    model = page.school_model
    assert model.rowCount() > 0
    headers = [model.headerData(c, _horizontal()) for c in range(model.columnCount())]
    assert headers[0] == "Intervention" and "Cost" in headers and "Pupils" in headers
    costs = [line.cost_pence for line in model.rows]
    assert all(c > 0 for c in costs)
    assert cell_text(page, "school_model", 0, 5).startswith("£")
    total = page.school_total_label.text()
    assert total.startswith("Total for 2024–25:") and "sessions delivered" in total
    assert f"{len(model.rows)} interventions" in total
    # An empty year says so.
    page.set_academic_year(2020)
    page.loading.wait()
    assert page.school_model.rowCount() == 0
    assert "No intervention sessions" in page.school_total_label.text()


def test_pupil_view_shows_threshold_sentence(open_page, senco, demo_db) -> None:  # type: ignore[no-untyped-def]
    page = open_page(senco)
    assert page.pupil_view is not None and page.tabs.count() == 2
    assert page.pupil_id is None
    assert "Choose a pupil" in page.pupil_heading.text()
    pid = pupil_with_sessions(demo_db, senco)
    page.show_pupil(pid)
    page.loading.wait()
    assert page.showing_pupil and page.pupil_id == pid
    data = page.pupil_data
    assert data is not None and data.total_cost_pence > 0
    assert page.pupil_model.rowCount() == len(data.lines) > 0
    assert page.area_model.rowCount() == len(data.areas) > 0
    sentence = page.threshold_label.text()
    assert sentence == threshold_sentence(data)
    assert "of the £6,000 notional SEN threshold (" in sentence
    assert sentence.endswith("below it).")
    with demo_db.session() as s:
        upn = s.get(Pupil, pid).upn
    assert upn in page.pupil_heading.text()
    # The picker offers every pupil by name and UPN.
    assert any(upn in page.pupil_combo.itemText(i) for i in range(page.pupil_combo.count()))
    # Another year: the same pupil, nothing logged, nothing spent.
    page.set_academic_year(2020)
    page.loading.wait()
    assert page.pupil_model.rowCount() == 0
    nothing = "£0 of the £6,000 notional SEN threshold (£6,000 below it)."
    assert page.threshold_label.text() == nothing


def test_export_whole_school_xlsx_and_pdf(  # type: ignore[no-untyped-def]
    open_page, senco, monkeypatch, tmp_path, messages
) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    page = open_page(senco)
    first = page.school_model.rows[0].intervention
    save_as(monkeypatch, tmp_path / "school.xlsx")
    written = page.export()
    assert written == tmp_path / "school.xlsx" and written.exists()
    values = [
        str(v) for row in load_workbook(written).active.iter_rows(values_only=True) for v in row
    ]
    assert first in values
    save_as(monkeypatch, tmp_path / "school.pdf")
    written = page.export()
    assert written is not None
    text = "".join(p.extract_text() for p in PdfReader(str(written)).pages)
    assert first in text
    assert messages == []


def test_export_pupil_xlsx_and_pdf(  # type: ignore[no-untyped-def]
    open_page, senco, demo_db, monkeypatch, tmp_path, messages
) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    page = open_page(senco)
    page.show_pupil()
    # No pupil chosen yet: nothing to export.
    assert not page.export_button.isEnabled()
    page.show_pupil(pupil_with_sessions(demo_db, senco))
    page.loading.wait()
    assert page.export_button.isEnabled()
    data = page.pupil_data
    assert data is not None
    save_as(monkeypatch, tmp_path / "pupil.xlsx")
    written = page.export()
    assert written is not None
    assert export_details(demo_db)[-1] == {
        "what": "provision map",
        "pupils": 1,
        "file": "pupil.xlsx",
    }
    values = [
        str(v) for row in load_workbook(written).active.iter_rows(values_only=True) for v in row
    ]
    assert data.name in values and data.lines[0].intervention in values
    # No suffix typed: the PDF filter chosen decides.
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *_a, **_k: (str(tmp_path / "pupil"), "PDF document (*.pdf)")),
    )
    written = page.export()
    assert written == tmp_path / "pupil.pdf"
    text = "".join(p.extract_text() for p in PdfReader(str(written)).pages)
    assert data.upn in text
    # Cancelled: nothing written.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: ("", "")))
    assert page.export() is None
    assert messages == []


def test_export_failure_is_one_sentence(  # type: ignore[no-untyped-def]
    open_page, senco, monkeypatch, tmp_path, messages
) -> None:
    page = open_page(senco)
    save_as(monkeypatch, tmp_path / "missing" / "folder" / "school.xlsx")
    assert page.export() is None
    assert len(messages) == 1 and messages[0][0] == "warning"
    assert messages[0][2].endswith(".")


def test_threshold_change_updates_sentence(  # type: ignore[no-untyped-def]
    open_page, senco, demo_db, monkeypatch, qtbot
) -> None:
    page = open_page(senco)
    assert page.threshold_button.isVisible()
    page.show_pupil(pupil_with_sessions(demo_db, senco))
    page.loading.wait()
    data = page.pupil_data
    assert data is not None
    asked: list[float] = []

    def fake_get_double(*args: Any, **_k: Any) -> tuple[float, bool]:
        asked.append(args[3])
        return data.total_cost_pence / 100 - 10, True  # £10 less than spent

    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(fake_get_double))
    with qtbot.waitSignal(page.changed, timeout=1000):
        assert page.change_threshold()
    page.loading.wait()  # the maps are read again on the worker thread
    assert asked == [6000.0]
    assert notional_threshold_pence(demo_db) == data.total_cost_pence - 1000
    assert page.threshold_label.text().endswith("(£10 above it).")
    # Cancelling changes nothing.
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *_a, **_k: (1.0, False)))
    assert not page.change_threshold()
    assert notional_threshold_pence(demo_db) == data.total_cost_pence - 1000


def test_import_attainment_shows_report(  # type: ignore[no-untyped-def]
    open_page, senco, demo_db, monkeypatch, tmp_path, messages
) -> None:
    page = open_page(senco)
    with demo_db.session() as s:
        upn = s.query(Pupil.upn).order_by(Pupil.id).first()[0]
    good = tmp_path / "attainment.csv"
    good.write_text(
        f"UPN,Subject,Measure,Value,Expected,Date\n{upn},Maths,Grade,5,4,20/02/2025\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(good), ""))
    )
    assert page.import_attainment()
    assert messages[-1][0] == "information"
    assert "Imported: 1 new" in messages[-1][2]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "UPN,Subject,Measure,Value,Expected,Date\nX999,Maths,Grade,5,4,20/02/2025\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(bad), ""))
    )
    assert not page.import_attainment()
    assert messages[-1][0] == "warning" and "Nothing was written" in messages[-1][2]


def test_read_only_user_sees_whole_school_only(open_page, governor, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = open_page(governor)
    assert page.pupil_view is None and page.tabs.count() == 1
    assert page.school_model.rowCount() > 0
    assert not page.threshold_button.isVisible()
    assert not page.import_button.isVisible()
    assert page.export_button.isEnabled()
    page.show_pupil(1)
    page.loading.wait()
    assert not page.showing_pupil
    assert not page.change_threshold() and not page.import_attainment()


def test_every_control_has_an_accessible_name(open_page, senco) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QTableView

    page = open_page(senco)
    for kind in (QAbstractButton, QComboBox, QTableView):
        for widget in page.findChildren(kind):
            if widget.isVisibleTo(page) and widget.parent() is not None:
                name = widget.accessibleName() or getattr(widget, "text", lambda: "")()
                assert name, widget


def _horizontal():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
