"""The register page as a user drives it: typing, filters, the toggle, export, keyboard."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)
from sqlalchemy import event

from sendesk.db import Database, Reader
from sendesk.models import Pupil, Role
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.pupils import PupilData, add_pupil
from sendesk.services.register.register import change_status
from sendesk.services.school.school import school_info
from sendesk.ui.context import AppContext
from sendesk.ui.register.register_model import Column
from sendesk.ui.register.register_page import RegisterPage, count_text
from tests.ui.export_audit import export_details

TODAY = date.today()


def add(
    db: Database,
    actor: Actor,
    serial: int,
    forename: str,
    surname: str,
    *,
    provision: str = "K",
    needs: tuple[str, ...] = ("SPLD",),
    year: int = 7,
    review: date | None = None,
) -> int:
    """Add a pupil through the pupils service (and set a review date, which it has no
    field for yet, straight on the row)."""
    pupil_id = add_pupil(
        db,
        actor,
        PupilData(
            upn=make(801, 2000, 24, serial),
            legal_surname=surname,
            legal_forename=forename,
            dob=date(2012, 5, 1),
            year_group=year,
            reg_group=f"{year}A",
            provision="K" if provision == "E" else provision,
            needs=needs if provision != "N" else (),
            sen_start_date=date(2024, 9, 1) if provision != "N" else None,
        ),
        today=TODAY,
    )
    if provision == "E":  # E only with an issued EHC plan: recorded with the change
        issued = TODAY - timedelta(days=30)
        plan = PlanData(issued_on=issued, la_name="Testshire")
        change_status(db, actor, pupil_id, "E", needs, issued, "Plan", plan=plan, today=TODAY)
    if review is not None:
        with db.transaction() as s:
            pupil = s.get(Pupil, pupil_id)
            assert pupil is not None
            pupil.next_review_due = review
    return pupil_id


@pytest.fixture
def ctx(db: Database, senco: Actor) -> AppContext:
    return AppContext(db=db, actor=senco, school=school_info(db))


@pytest.fixture
def pupils(db: Database, senco: Actor) -> dict[str, int]:
    return {
        "zoe": add(db, senco, 1, "Zoë", "Smith", review=TODAY - timedelta(days=3)),
        "lukasz": add(db, senco, 2, "Łukasz", "Kowalski", provision="E", needs=("ASD",), year=9),
        "amelia": add(db, senco, 3, "Amelia", "Jones", provision="N", year=7),
        "oliver": add(db, senco, 4, "Oliver", "O'Brien", needs=("SEMH", "SPLD"), year=10),
    }


@pytest.fixture
def page(qtbot, ctx: AppContext, pupils: dict[str, int]) -> Iterator[RegisterPage]:
    widget = RegisterPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitExposed(widget)
    read(widget)
    yield widget


def read(page: RegisterPage) -> None:
    """Wait for the register's latest read (it runs on the worker thread) to land."""
    assert page.loading is not None
    page.loading.wait()


def shown_names(page: RegisterPage) -> list[str]:
    """The Name column as the user sees it, top to bottom."""
    model = page.table.model()
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


def test_opens_on_the_register_only(page: RegisterPage) -> None:
    assert sorted(shown_names(page)) == ["Oliver O'Brien", "Zoë Smith", "Łukasz Kowalski"]
    assert page.count_label.text() == "3 pupils shown of 3"
    assert page.table.isSortingEnabled()
    assert page.table.horizontalHeader().sortIndicatorSection() == Column.YEAR
    assert shown_names(page) == ["Zoë Smith", "Łukasz Kowalski", "Oliver O'Brien"]  # by year


def test_overdue_review_reads_as_overdue(page: RegisterPage) -> None:
    model = page.table.model()
    due = [model.index(r, Column.NEXT_REVIEW).data() for r in range(model.rowCount())]
    assert due[0].endswith("(overdue)")
    # Łukasz's EHC plan, issued a month ago, sets his annual review 11 months ahead.
    assert due[1] and not due[1].endswith("(overdue)")


def test_says_it_is_reading_the_register_until_the_read_lands(
    qtbot, ctx: AppContext, pupils: dict[str, int]
) -> None:
    page = RegisterPage(ctx)
    qtbot.addWidget(page)
    assert page.count_label.text() == "Reading the register…"
    assert not page.loaded and not page.export_button.isEnabled()
    qtbot.keyClicks(page.search, "zo")  # typing meanwhile neither counts nor fails
    assert page.count_label.text() == "Reading the register…"
    read(page)
    assert page.loaded
    assert shown_names(page) == ["Zoë Smith"]  # what was typed applies to the rows read
    assert page.count_label.text() == "1 pupil shown of 3"
    assert page.export_button.isEnabled()


def test_a_reload_keeps_the_search_filters_sort_and_chosen_pupil(
    page: RegisterPage, db: Database, senco: Actor, pupils: dict[str, int]
) -> None:
    """After a save elsewhere the register reads again: what the user set up stays, the
    pupil they were on stays chosen, and a pupil added meanwhile appears in order."""
    page.status_combo.setCurrentIndex(page.status_combo.findData("K"))
    page.search.setText("o")
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    assert shown_names(page) == ["Zoë Smith", "Oliver O'Brien"]
    page.table.selectRow(1)
    assert page.proxy.row_at(page.table.currentIndex()).pupil_id == pupils["oliver"]

    add(db, senco, 5, "Olivia", "Price")
    page.reload().wait()

    assert page.search.text() == "o"
    assert page.status_combo.currentData() == "K"
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == Column.NAME
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert shown_names(page) == ["Zoë Smith", "Olivia Price", "Oliver O'Brien"]
    assert page.count_label.text() == "3 pupils shown of 4"
    assert page.proxy.row_at(page.table.currentIndex()).pupil_id == pupils["oliver"]
    chosen = page.table.selectionModel().selectedRows()
    assert [page.proxy.row_at(i).pupil_id for i in chosen] == [pupils["oliver"]]


def test_only_the_latest_read_is_shown(page: RegisterPage) -> None:
    """Show all pupils turned on and off before either read lands: the first read's
    rows (with Amelia, who has no SEN) are never put in the table."""
    shown: list[list[str]] = []
    page.model.modelReset.connect(lambda: shown.append(shown_names(page)))
    page.show_all.setChecked(True)
    everyone = page.loading
    page.show_all.setChecked(False)
    read(page)
    assert everyone is not None and everyone.done
    rows, _columns = everyone.result  # the rows read, with their filter columns
    assert "Amelia" in {row.legal_forename for row in rows}  # it did read her
    assert shown == [["Zoë Smith", "Łukasz Kowalski", "Oliver O'Brien"]]
    assert page.count_label.text() == "3 pupils shown of 3"


def test_typing_searches_names_without_accents(qtbot, page: RegisterPage) -> None:
    qtbot.keyClicks(page.search, "zoe")
    assert shown_names(page) == ["Zoë Smith"]
    assert page.count_label.text() == "1 pupil shown of 3"
    page.search.clear()
    qtbot.keyClicks(page.search, "LUKASZ")
    assert shown_names(page) == ["Łukasz Kowalski"]
    page.search.clear()
    assert len(shown_names(page)) == 3


def test_typing_a_name_in_latin_letters_finds_it_in_cyrillic_or_greek(
    qtbot, db: Database, senco: Actor, page: RegisterPage
) -> None:
    """Names keyed in at the MIS in Cyrillic or Greek are found by their usual Latin
    spelling — Russian or Ukrainian (as on a Ukrainian passport) — and by their own."""
    add(db, senco, 11, "Олександр", "Шевченко")
    add(db, senco, 12, "Григорій", "Бондаренко")
    add(db, senco, 13, "Γεώργιος", "Παπαδόπουλος")
    page.reload().wait()
    for typed, found in (
        ("shevchenko", "Олександр Шевченко"),
        ("oleksandr shev", "Олександр Шевченко"),
        ("Шевч", "Олександр Шевченко"),
        ("hryhorii", "Григорій Бондаренко"),
        ("grigoriy bond", "Григорій Бондаренко"),
        ("papadopoulos", "Γεώργιος Παπαδόπουλος"),
        ("georgios", "Γεώργιος Παπαδόπουλος"),
    ):
        page.search.clear()
        if typed.isascii():
            qtbot.keyClicks(page.search, typed)
        else:  # QTest types Latin-1 only (it aborts on other letters): as if pasted
            page.search.insert(typed)
        assert shown_names(page) == [found], typed
    page.search.clear()
    assert len(shown_names(page)) == 6


def test_typing_a_upn_finds_the_pupil(qtbot, page: RegisterPage) -> None:
    upn = make(801, 2000, 24, 4)
    qtbot.keyClicks(page.search, upn[-6:].lower())
    assert shown_names(page) == ["Oliver O'Brien"]


def test_show_all_pupils_reloads_and_enables_no_sen(qtbot, page: RegisterPage) -> None:
    status_items = page.status_combo.model()
    assert isinstance(status_items, QStandardItemModel)
    n_index = page.status_combo.findData("N")
    assert not status_items.item(n_index).isEnabled()

    qtbot.mouseClick(page.show_all, Qt.MouseButton.LeftButton)
    read(page)
    assert page.show_all.isChecked()
    assert "Amelia Jones" in shown_names(page)
    assert page.count_label.text() == "4 pupils shown of 4"
    assert status_items.item(n_index).isEnabled()

    page.status_combo.setCurrentIndex(n_index)
    assert shown_names(page) == ["Amelia Jones"]

    page.show_all.setChecked(False)  # N no longer loaded: back to all statuses
    assert page.status_combo.currentData() is None
    read(page)
    assert len(shown_names(page)) == 3


def test_filters_narrow_the_table(page: RegisterPage) -> None:
    page.status_combo.setCurrentIndex(page.status_combo.findData("E"))
    assert shown_names(page) == ["Łukasz Kowalski"]
    page.status_combo.setCurrentIndex(0)

    page.area_combo.setCurrentIndex(page.area_combo.findData("Cognition and learning"))
    assert shown_names(page) == ["Zoë Smith", "Oliver O'Brien"]  # SPLD primary or secondary

    page.need_combo.setCurrentIndex(page.need_combo.findData("SEMH"))
    assert shown_names(page) == ["Oliver O'Brien"]

    page.clear_filters()
    years = [page.year_combo.itemText(i) for i in range(page.year_combo.count())]
    assert years == ["All years", "Year 7", "Year 9", "Year 10"]
    page.year_combo.setCurrentIndex(page.year_combo.findData(9))
    assert shown_names(page) == ["Łukasz Kowalski"]
    assert page.count_label.text() == "1 pupil shown of 3"


def test_year_choice_survives_a_reload(page: RegisterPage) -> None:
    page.year_combo.setCurrentIndex(page.year_combo.findData(10))
    page.reload().wait()
    assert page.year_combo.currentData() == 10
    assert shown_names(page) == ["Oliver O'Brien"]


def test_header_click_sorts(qtbot, page: RegisterPage) -> None:
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(Column.NAME) + header.sectionSize(Column.NAME) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert header.sortIndicatorSection() == Column.NAME
    order = header.sortIndicatorOrder()
    expected = ["Łukasz Kowalski", "Oliver O'Brien", "Zoë Smith"]  # by surname
    if order == Qt.SortOrder.DescendingOrder:
        expected.reverse()
    assert shown_names(page) == expected


def test_export_shown_writes_the_rows_seen_in_order(
    qtbot, page: RegisterPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    qtbot.keyClicks(page.search, "s")  # Zoë Smith, Łukasz Kowalski (both have an s)
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    target = tmp_path / "shown"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(target), "CSV file (*.csv)")),
    )
    with qtbot.waitSignal(page.exported) as signal:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "shown.csv"
    assert signal.args == [str(written)]
    with written.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["Legal forename"], r["Legal surname"]) for r in rows] == [
        ("Łukasz", "Kowalski"),
        ("Zoë", "Smith"),
    ]
    assert rows[0]["UPN"] == make(801, 2000, 24, 2)
    assert export_details(page.ctx.db) == [{"what": "register", "pupils": 2, "file": "shown.csv"}]
    assert page.written.text() == f"Saved 2 pupils to {written}."
    assert page.written.isVisible()


def test_export_to_xlsx(page: RegisterPage, tmp_path: Path) -> None:
    page.status_combo.setCurrentIndex(page.status_combo.findData("K"))
    path = page.export_to(tmp_path / "k.xlsx").wait().result
    assert path == tmp_path / "k.xlsx"
    sheet = load_workbook(path).active
    assert sheet is not None
    surnames = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert surnames == ["Smith", "O'Brien"]


def test_export_failure_is_one_sentence(
    page: RegisterPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no such folder" / "register.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(missing), ""))
    )
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append(text))
    )
    page.export_shown()
    assert page.export_op is not None
    page.export_op.wait()
    assert len(shown) == 1
    assert shown[0].endswith(".")
    assert shown[0].count(". ") == 0
    assert "does not exist" in shown[0]
    assert not missing.exists()
    assert export_details(page.ctx.db) == []
    assert not page.written.isVisible() and page.export_button.isEnabled()


def test_export_to_another_kind_of_file_is_refused(
    page: RegisterPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda parent, title, text: shown.append((title, text))),
    )
    target = tmp_path / "register.pdf"
    page.export_to(target).wait()
    assert shown == [("Export failed", "Choose a file name ending in .csv or .xlsx.")]
    assert not target.exists() and export_details(page.ctx.db) == []


def test_export_is_disabled_while_the_file_is_written(
    qtbot, page: RegisterPage, tmp_path: Path
) -> None:
    """The export writes on the worker: Export (button and menu) stays disabled until it
    has finished, even when a filter changes meanwhile, and the rows written are the
    ones shown when it was asked for."""
    target = tmp_path / "all.csv"
    op = page.export_to(target)
    assert not page.export_button.isEnabled()
    assert page.written.text() == f"Saving 3 pupils to {target}…"
    qtbot.keyClicks(page.search, "zoe")  # the count changes; Export stays disabled
    assert page.count_label.text() == "1 pupil shown of 3"
    assert not page.export_button.isEnabled()
    export_action = next(a for a in page.table_menu().actions() if "Export" in a.text())
    assert not export_action.isEnabled()
    op.wait()
    assert page.export_button.isEnabled()
    assert page.written.text() == f"Saved 3 pupils to {target}."
    with target.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 3


def test_export_cancelled_writes_nothing(
    page: RegisterPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(
        "sendesk.ui.register.register_page.write_register", lambda *a: calls.append(a)
    )
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    page.export_shown()
    assert calls == [] and page.export_op is None


def test_export_button_disabled_when_nothing_shown(qtbot, page: RegisterPage) -> None:
    qtbot.keyClicks(page.search, "nobody by this name")
    assert page.count_label.text() == "0 pupils shown of 3"
    assert not page.export_button.isEnabled()


def test_ctrl_f_focuses_search(qtbot, page: RegisterPage) -> None:
    page.search.setText("zoe")
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(lambda: page.table.hasFocus())
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.search.hasFocus())
    assert page.search.selectedText() == "zoe"


def test_enter_or_double_click_opens_the_pupil(
    qtbot, page: RegisterPage, pupils: dict[str, int]
) -> None:
    page.activateWindow()
    page.table.setFocus()
    page.table.setCurrentIndex(page.table.model().index(1, 0))
    with qtbot.waitSignal(page.pupil_activated) as signal:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert signal.args == [pupils["lukasz"]]

    rect = page.table.visualRect(page.table.model().index(2, Column.UPN))
    viewport = page.table.viewport()
    with qtbot.waitSignal(page.pupil_activated) as signal:
        # A real double-click starts with a press; QTest's double-click event alone doesn't.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [pupils["oliver"]]


def test_table_is_read_only_and_selects_rows(page: RegisterPage) -> None:
    table = page.table
    assert table.editTriggers() == QTableView.EditTrigger.NoEditTriggers
    assert table.selectionBehavior() == QTableView.SelectionBehavior.SelectRows
    assert table.alternatingRowColors()
    assert not table.tabKeyNavigation()
    assert not table.model().flags(table.model().index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert table.model().flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_every_control_has_an_accessible_name(page: RegisterPage) -> None:
    controls = [
        w
        for w in page.findChildren(QWidget)
        if isinstance(w, QLineEdit | QComboBox | QAbstractButton | QTableView)
        and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and w.parent() is page
    ]
    assert len(controls) == 9
    assert all(w.accessibleName().strip() for w in controls), [
        w for w in controls if not w.accessibleName()
    ]
    assert page.search.placeholderText() == "Search name or UPN"
    assert page.findChild(QCheckBox).text().replace("&", "") == "Show all pupils"


def test_tab_walks_the_controls_in_reading_order(qtbot, page: RegisterPage) -> None:
    expected = [
        page.search,
        page.clear_button,
        page.show_all,
        page.status_combo,
        page.area_combo,
        page.need_combo,
        page.year_combo,
        page.table,
        page.export_button,
    ]
    page.activateWindow()
    page.search.setFocus()
    qtbot.waitUntil(lambda: page.search.hasFocus())
    seen = [QApplication.focusWidget()]
    for _ in expected[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == expected


def test_no_fixed_pixel_sizes(page: RegisterPage) -> None:
    """200% scaling works when layouts, not pixel sizes, decide how big things are."""
    unlimited = QWidget().maximumSize()
    for widget in page.findChildren(QWidget):
        if widget.parent() is page:
            assert widget.maximumSize() == unlimited, widget


def test_a_role_that_may_not_see_names_gets_a_sentence(
    qtbot, db: Database, pupils: dict[str, int]
) -> None:
    governor = Actor(user_id=999, username="gov", display_name="Governor", role=Role.READ_ONLY)
    widget = RegisterPage(AppContext(db=db, actor=governor, school=school_info(db)))
    qtbot.addWidget(widget)
    read(widget)
    assert widget.model.rowCount() == 0
    assert "cannot see the SEND register" in widget.message_label.text()
    assert not widget.message_label.isHidden()


def count_statements(db: Database, page: RegisterPage, monkeypatch) -> int:
    """SQL statements run by one reload: plain reads (``Reader.rows``) and any through
    SQLAlchemy's engine (a read already running is waited for first, so it is not
    counted)."""
    read(page)
    statements: list[str] = []
    plain_rows = Reader.rows

    def counted_rows(reader: Reader, sql: str, params=()) -> list[tuple]:
        statements.append(sql)
        return plain_rows(reader, sql, params)

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    monkeypatch.setattr(Reader, "rows", counted_rows)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page.reload().wait()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        monkeypatch.setattr(Reader, "rows", plain_rows)
    return len(statements)


@pytest.mark.parametrize("show_all", [False, True])
def test_reload_issues_the_same_number_of_queries_for_5_and_50_pupils(
    qtbot, db: Database, senco: Actor, ctx: AppContext, show_all: bool, monkeypatch
) -> None:
    for serial in range(1, 6):
        add(db, senco, serial, "Pupil", f"Number{serial}", needs=("MLD",))
    page = RegisterPage(ctx)
    qtbot.addWidget(page)
    page.show_all.setChecked(show_all)
    few = count_statements(db, page, monkeypatch)
    assert page.model.rowCount() == 5

    for serial in range(6, 51):
        add(db, senco, serial, "Pupil", f"Number{serial}", provision="K" if serial % 2 else "N")
    many = count_statements(db, page, monkeypatch)
    on_register = 5 + sum(1 for serial in range(6, 51) if serial % 2)
    assert page.model.rowCount() == (50 if show_all else on_register)
    assert few == many
    assert 1 <= many <= 4


def test_count_text() -> None:
    assert count_text(312, 1200) == "312 pupils shown of 1,200"
    assert count_text(1, 1) == "1 pupil shown of 1"


def test_fits_a_narrow_window(page: RegisterPage) -> None:
    """Long need descriptions must not force the page wide: at 200% scaling a laptop
    screen is only about 700 logical pixels across (measured in characters here)."""
    chars = page.minimumSizeHint().width() / page.fontMetrics().averageCharWidth()
    assert chars < 130  # 1,169 px (195 characters) before the need list was narrowed
    assert page.need_combo.view().minimumWidth() > page.need_combo.minimumSizeHint().width()


def test_keyboard_can_sort_from_the_table_menu(page: RegisterPage) -> None:
    menu = page.table_menu()
    titles = [a.text() for a in menu.actions()]
    assert titles == ["&Open pupil", "&Sort by", "", "&Export shown…"]
    sort_menu = menu.actions()[1].menu()
    by_name = next(a for a in sort_menu.actions() if a.text() == "Name")
    by_name.trigger()
    assert page.table.horizontalHeader().sortIndicatorSection() == Column.NAME
    assert shown_names(page) == ["Łukasz Kowalski", "Oliver O'Brien", "Zoë Smith"]
    next(a for a in page.table_menu().actions()[1].menu().actions() if a.text() == "Name").trigger()
    assert shown_names(page) == ["Zoë Smith", "Oliver O'Brien", "Łukasz Kowalski"]


def test_open_pupil_from_the_table_menu(qtbot, page: RegisterPage, pupils: dict[str, int]) -> None:
    page.table.setCurrentIndex(page.table.model().index(0, 0))
    with qtbot.waitSignal(page.pupil_activated) as signal:
        page.table_menu().actions()[0].trigger()
    assert signal.args == [pupils["zoe"]]
