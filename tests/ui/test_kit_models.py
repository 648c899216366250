"""The kit's table model, read without any widget: what each cell says, its tooltip, its
alignment and tint, the headers, sorting, and what an export would write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt

from sendesk.ui.kit.filtered_page import RowsFilter
from sendesk.ui.kit.table_model import ROW_ROLE, ColumnSpec, RowsModel, shown_table

DISPLAY = Qt.ItemDataRole.DisplayRole


@dataclass(frozen=True)
class Visit:
    id: int
    agency: str
    seen: date | None
    minutes: int
    status: str


COLUMNS: tuple[ColumnSpec[Visit], ...] = (
    ColumnSpec("Agency", lambda v: v.agency, tooltip=lambda v: f"Seen by {v.agency}"),
    ColumnSpec(
        "Seen",
        lambda v: f"{v.seen:%d/%m/%Y}" if v.seen else "Not yet",
        sort_key=lambda v: v.seen or date.max,
    ),
    ColumnSpec("Minutes", lambda v: str(v.minutes), number=True, sort_key=lambda v: v.minutes),
    ColumnSpec(
        "Status", lambda v: v.status, tint=lambda v: "#f8c4c4" if v.status == "Late" else None
    ),
)
VISITS = [
    Visit(1, "CAMHS", date(2025, 11, 3), 45, "Late"),
    Visit(2, "Educational psychologist", None, 120, "On track"),
    Visit(3, "Speech and language therapy", date(2025, 2, 9), 9, "On track"),
]


def texts(model: RowsModel[Visit] | RowsFilter) -> list[list[str]]:
    return shown_table(model)[1]


def test_cells_headers_and_counts() -> None:
    model = RowsModel(COLUMNS, VISITS)
    assert (model.rowCount(), model.columnCount()) == (3, 4)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Agency",
        "Seen",
        "Minutes",
        "Status",
    ]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert texts(model)[1] == ["Educational psychologist", "Not yet", "120", "On track"]
    cell = model.index(0, 0)
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "Seen by CAMHS"
    assert cell.data(ROW_ROLE) == VISITS[0]  # the record itself, not a row number
    assert not model.flags(cell) & Qt.ItemFlag.ItemIsEditable


def test_numbers_align_right_and_tints_carry_dark_text() -> None:
    model = RowsModel(COLUMNS, VISITS)
    alignment = model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight.value
    assert model.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.index(0, 3).data(Qt.ItemDataRole.BackgroundRole).name() == "#f8c4c4"
    assert model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole).lightness() < 80
    assert model.index(1, 3).data(Qt.ItemDataRole.BackgroundRole) is None


def test_sort_by_the_columns_key_not_its_text() -> None:
    model = RowsModel(COLUMNS, VISITS)
    model.sort(2, Qt.SortOrder.AscendingOrder)  # 9 < 45 < 120, though "120" < "45" < "9"
    assert [row[2] for row in texts(model)] == ["9", "45", "120"]
    model.sort(1, Qt.SortOrder.DescendingOrder)  # "Not yet" sorts after every date
    assert [row[1] for row in texts(model)] == ["Not yet", "03/11/2025", "09/02/2025"]
    model.sort(0)
    assert texts(model)[0][0] == "CAMHS"


def test_set_rows_replaces_and_reports_a_reset() -> None:
    model = RowsModel(COLUMNS)
    assert model.rowCount() == 0 and texts(model) == []
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_rows(VISITS[:1])
    assert resets == [True] and model.rows == VISITS[:1]
    assert model.data(model.index(5, 0)) is None  # past the end: nothing, not an error


def test_a_filter_and_its_sort_are_what_an_export_writes() -> None:
    model = RowsModel(COLUMNS, VISITS)
    shown = RowsFilter(lambda v: v.status == "On track")
    shown.setSourceModel(model)
    shown.sort(2, Qt.SortOrder.DescendingOrder)  # sorts by the key through the proxy
    headers, rows = shown_table(shown)
    assert headers == ["Agency", "Seen", "Minutes", "Status"]
    assert rows == [
        ["Educational psychologist", "Not yet", "120", "On track"],
        ["Speech and language therapy", "09/02/2025", "9", "On track"],
    ]
    assert shown.index(0, 0).data(ROW_ROLE) == VISITS[1]
