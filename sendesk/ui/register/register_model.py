"""The register as a Qt table model, and the proxy that searches and filters it.

Why model/view and not a table widget filled row by row: the register can hold a whole
school (20,000 pupils in a large trust), and the view then only asks for the cells it
paints. Everything a keystroke needs — a folded search key, the status, the areas and
codes of need, the year — is worked out once per row when rows arrive
(:func:`build_filter_columns`, which the register page runs on the worker thread), so
applying a search is one tight pass over plain Python lists, and the proxy's per-row
callback only reads one precomputed boolean.

The model never talks to the database: the page hands it rows from
:func:`sendesk.services.register.register_view.register_rows`.
"""

from __future__ import annotations

import unicodedata
import weakref
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette

from sendesk.rules.census import NEED_CODES, PROVISION_LABELS, Provision, area_of
from sendesk.rules.dates import dmy
from sendesk.rules.years import year_label
from sendesk.services.register.register_view import RegisterRow

AnyIndex = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole
"""Role holding a value of one type per column that sorts correctly (dates as day numbers,
years as integers), while DisplayRole shows what people read (dd/mm/yyyy, "R", "N1")."""

PUPIL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""Role holding the row's pupil id, for opening the pupil from any cell."""

ANSWERED_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        SORT_ROLE,
        PUPIL_ID_ROLE,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ForegroundRole,
    )
)
"""The roles :meth:`RegisterTableModel.data` answers; every other role is None at once."""

_LAST_TEXT = "\uffff"  # sorts blank text after every real value in ascending order
_LAST_DAY = date.max.toordinal() + 1  # the same for a missing date (fits a 32-bit int)
_LAST_YEAR = 99


class Column(IntEnum):
    """The register's columns, in display order."""

    NAME = 0
    UPN = 1
    YEAR = 2
    REG_GROUP = 3
    STATUS = 4
    PRIMARY_NEED = 5
    AREA = 6
    SECONDARY_NEED = 7
    EHCP_SINCE = 8
    NEXT_REVIEW = 9
    ON_REGISTER_SINCE = 10


COLUMN_COUNT = len(Column)

HEADERS: dict[Column, str] = {
    Column.NAME: "Name",
    Column.UPN: "UPN",
    Column.YEAR: "Year",
    Column.REG_GROUP: "Reg group",
    Column.STATUS: "Status",
    Column.PRIMARY_NEED: "Primary need",
    Column.AREA: "Area of need",
    Column.SECONDARY_NEED: "Secondary need",
    Column.EHCP_SINCE: "EHCP since",
    Column.NEXT_REVIEW: "Next review due",
    Column.ON_REGISTER_SINCE: "On register since",
}

HEADER_TIPS: dict[Column, str] = {
    Column.NAME: "Preferred name where recorded; sorts by surname, then forename",
    Column.UPN: "Unique pupil number",
    Column.STATUS: "SEN provision as returned in the school census (N, K or E)",
    Column.PRIMARY_NEED: "Census type-of-need code ranked first",
    Column.AREA: "Broad area of the primary need (SEND Code of Practice 6.28-6.35)",
    Column.SECONDARY_NEED: "Census type-of-need code ranked second",
    Column.EHCP_SINCE: "Start of the current education, health and care plan",
    Column.NEXT_REVIEW: "Date agreed at the last review; overdue dates are marked",
    Column.ON_REGISTER_SINCE: "Start of the unbroken time on the register (K or E)",
}

STATUS_SHORT: dict[str, str] = {
    Provision.N.value: "No SEN",
    Provision.K.value: "SEN support",
    Provision.E.value: "EHC plan",
}
"""Short status words for the table; the full census label is the tooltip."""


# --- search keys ---------------------------------------------------------------------------

# Letters that Unicode does not decompose into base letter + accent, so NFKD alone would
# leave "Łukasz" unfindable by "lukasz". Apostrophes are dropped so "obrien" finds O'Brien.
_FOLD_TABLE = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "'": None,
        "’": None,
        "ʼ": None,
    }
)


# Cyrillic and Greek letters have no accents to strip: they are transliterated, so that
# "shevchenko" finds "Шевченко". Lower case only: the text is case-folded first. Russian
# and Ukrainian romanise a few letters differently (Григорий is Grigoriy, Григорій is
# Hryhorii on a Ukrainian passport), so a name written in Cyrillic is searchable under both
# (:func:`fold_variants`); :func:`fold` itself gives the first, for sorting and for what
# the user types.
_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
        "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
        "ъ": None, "ы": "y", "ь": None, "э": "e", "ю": "yu", "я": "ya",
        "ў": "u", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "gj",
        "ќ": "kj", "ѕ": "dz",
    }
)  # fmt: skip
# Ukraine's national system (2010): these letters differ from the table above, and
# є ї й ю я are written ie i i iu ia inside a word (ye yi y yu ya only at its start).
_UKRAINIAN = {"г": "h", "и": "y", "є": "ie", "ї": "i", "й": "i", "ю": "iu", "я": "ia"}
_UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# Greek (ELOT 743, simplified): a few pairs first, then letter by letter.
_GREEK_PAIRS = (("ου", "ou"), ("αυ", "av"), ("ευ", "ev"), ("γγ", "ng"), ("γκ", "gk"))
_GREEK = str.maketrans(
    {
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
        "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
        "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
        "ω": "o",
    }
)  # fmt: skip


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def _ukrainian(text: str) -> str:
    """Cyrillic letters written as Ukraine's national system writes them (the rest of the
    text unchanged, for :func:`fold` to finish)."""
    out: list[str] = []
    previous = " "
    for ch in text:
        start = not previous.isalpha() and previous not in "'’ʼ"
        out.append((_UKRAINIAN_INITIAL.get(ch) if start else None) or _UKRAINIAN.get(ch, ch))
        previous = ch
    return "".join(out)


def fold(text: str) -> str:
    """Text reduced for matching: accents removed, special letters mapped, Cyrillic and
    Greek transliterated, case folded.

    "Zoë" -> "zoe", "Łukasz" -> "lukasz", "Nguyễn" -> "nguyen", "O'Brien" -> "obrien",
    "Шевченко" -> "shevchenko", "Παπαδόπουλος" -> "papadopoulos".
    The same function is applied to the pupils' names and to what the user types, so a
    search never depends on how the name was keyed in at the MIS.
    """
    if text.isascii():  # most names: no accents to strip, so skip the Unicode work
        return text.replace("'", "").lower()
    # Before decomposing: NFKD would split й into и and a breve, ї into і and a diaeresis.
    lowered = unicodedata.normalize("NFC", text).casefold().translate(_CYRILLIC)
    decomposed = unicodedata.normalize("NFKD", lowered.translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for pair, latin in _GREEK_PAIRS:  # after the accents are gone: ού is ου
        stripped = stripped.replace(pair, latin)
    # Any Cyrillic letter left was one with a mark the table does not list: now bare.
    return stripped.translate(_CYRILLIC).translate(_GREEK).translate(_FOLD_TABLE).casefold()


def fold_variants(text: str) -> list[str]:
    """:func:`fold` of ``text``, and for Cyrillic also its Ukrainian romanisation when that
    differs — the spellings a search for the name may use."""
    folded = fold(text)
    if not _has_cyrillic(text):
        return [folded]
    ukrainian = fold(_ukrainian(unicodedata.normalize("NFC", text).casefold()))
    return [folded] if ukrainian == folded else [folded, ukrainian]


def search_key(row: RegisterRow) -> str:
    """Everything a search may match for one pupil, folded, one field per line.

    Preferred and legal names are both included: staff know a pupil by the preferred
    name, while letters and the MIS use the legal one.
    """
    parts = [
        row.display_name,
        f"{row.legal_forename} {row.legal_surname}",
        row.upn,
    ]
    return "\n".join(v for p in parts for v in fold_variants(p))


def _need_tip(code: str | None) -> str | None:
    if not code:
        return None
    need = NEED_CODES.get(code)
    return f"{code} — {need.description}" if need else code


def _areas(needs: Sequence[str]) -> frozenset[str]:
    areas = set()
    for code in needs:
        area = area_of(code) if code in NEED_CODES else None
        if area is not None:
            areas.add(area.value)
    return frozenset(areas)


def overdue_brush(palette: QPalette) -> QBrush:
    """A red that reads on this palette's background: dark red on light, light red on dark.

    Derived from the palette (never a fixed colour) so a dark theme or a high-contrast
    theme keeps the warning readable; the "(overdue)" text carries the meaning too.
    """
    dark_background = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QBrush(QColor.fromHsl(0, 200, 175 if dark_background else 95))


@dataclass(frozen=True)
class FilterColumns:
    """Per-row values the proxy filters on, aligned with the model's rows (plain lists),
    and the Name column's sort keys (:func:`name_sort_key`): folding every name is the
    slow part of both, so both are built with the read, off the GUI thread."""

    search_keys: list[str]
    provisions: list[str]
    areas: list[frozenset[str]]
    needs: list[tuple[str, ...]]
    years: list[int | None]
    name_keys: list[str]

    def permuted(self, positions: Sequence[int]) -> FilterColumns:
        """The same values in a new row order: ``positions[new]`` is the old row number."""
        return FilterColumns(*([values[i] for i in positions] for values in _filter_lists(self)))


def name_sort_key(row: RegisterRow) -> str:
    """How the Name column sorts a pupil: surname, then forename (preferred where
    recorded), folded so accents and case do not move anyone."""
    surname = row.preferred_surname or row.legal_surname
    return fold(f"{surname}\n{row.preferred_forename or row.legal_forename}")


def build_filter_columns(rows: Sequence[RegisterRow]) -> FilterColumns:
    """What the proxy filters on and the Name column sorts by, for ``rows`` in their order:
    plain Python, no Qt object.

    Why a function of its own: folding every name (accents, transliteration) costs about
    75 ms for 10,000 plain names and over 200 ms when half have accents, so the register
    page builds these on the worker thread with the read (issue 14) and hands them to
    :meth:`RegisterTableModel.set_rows`, which otherwise builds them itself. The name sort
    keys are here too: a register sorted by Name is re-sorted on every reload, which
    folded every name again on the GUI thread.
    """
    return FilterColumns(
        search_keys=[search_key(r) for r in rows],
        provisions=[r.provision for r in rows],
        areas=[_areas(r.needs) for r in rows],
        needs=[r.needs for r in rows],
        years=[r.year_group for r in rows],
        name_keys=[name_sort_key(r) for r in rows],
    )


class RegisterTableModel(QAbstractTableModel):
    """The register rows for a view: display text, tooltips, and sort keys per column.

    Rows are replaced wholesale with :meth:`set_rows` (a model reset): the register is
    reloaded from the service after any change, which is cheap (three queries), and a reset
    keeps the model free of row-insertion bookkeeping.
    """

    def __init__(self, parent: QObject | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RegisterRow] = []
        self._today_fixed = today
        self._today = today or date.today()
        self._filter = FilterColumns([], [], [], [], [], [])
        self._sort_keys: dict[int, list[Any]] = {}
        self._overdue_brush: tuple[int, QBrush] | None = None
        self._sort_order: tuple[int, Qt.SortOrder] | None = None
        self._listeners: list[weakref.WeakMethod[Callable[[], None]]] = []

    # --- data in -------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[RegisterRow], columns: FilterColumns | None = None) -> None:
        """Replace every row, with what searching and filtering will need.

        ``columns``: :func:`build_filter_columns` of ``rows``, already built (the register
        page builds them on the worker); without them they are built here. The current
        sort order (see :meth:`sort`) is applied to the new rows, so a reload after an
        edit keeps the order the user chose.
        """
        rows = list(rows)
        if columns is None:
            columns = build_filter_columns(rows)
        elif len(columns.search_keys) != len(rows):
            raise ValueError("set_rows: the filter columns were built for other rows")
        self.beginResetModel()
        self._rows = rows
        self._filter = columns
        self._today = self._today_fixed or date.today()
        self._sort_keys = {}
        if self._sort_order is not None:
            positions = self._sorted_positions(*self._sort_order)
            self._rows = [self._rows[i] for i in positions]
            self._filter = columns.permuted(positions)
            self._sort_keys = {}
        self._notify_rows_replaced()
        self.endResetModel()

    def add_rows_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (a bound method, held weakly) whenever rows are replaced or
        reordered — after the model's lists change, before Qt's views hear of it.

        Why: a proxy that caches per-row results must rebuild them before Qt asks it
        about the new rows; Qt's own signals reach a Python slot too late for that.
        """
        self._listeners.append(weakref.WeakMethod(callback))  # type: ignore[arg-type]

    def remove_rows_listener(self, callback: Callable[[], None]) -> None:
        """Stop calling ``callback``."""
        self._listeners = [ref for ref in self._listeners if ref() not in (None, callback)]

    def _notify_rows_replaced(self) -> None:
        live = [ref for ref in self._listeners if ref() is not None]
        self._listeners = live
        for ref in live:
            callback = ref()
            if callback is not None:
                callback()

    @property
    def rows(self) -> Sequence[RegisterRow]:
        """All rows in source order (read-only view for callers)."""
        return tuple(self._rows)

    @property
    def filter_columns(self) -> FilterColumns:
        """Precomputed filter values, aligned with source rows (for the proxy)."""
        return self._filter

    def row_at(self, index: AnyIndex) -> RegisterRow | None:
        """The RegisterRow behind a *source* index, or None for an invalid index."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def source_row(self, row: int) -> RegisterRow:
        """The RegisterRow at a source row number."""
        return self._rows[row]

    def is_overdue(self, row: RegisterRow) -> bool:
        """True when the next review date has passed (a review due today is not overdue)."""
        return row.next_review_due is not None and row.next_review_due < self._today

    # --- QAbstractTableModel ------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(column)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks about eight roles per cell it draws; most are answered here.
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        row_no = index.row()
        if not 0 <= row_no < len(self._rows):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(self._rows[row_no], Column(column))
        if role == SORT_ROLE:
            return self._sort_column(column)[row_no]
        if role == PUPIL_ID_ROLE:
            return self._rows[row_no].pupil_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(self._rows[row_no], Column(column))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            # A screen reader hears the code's meaning, not just "SPLD".
            row = self._rows[row_no]
            return self._tooltip(row, Column(column)) or self.display_text(row, Column(column))
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.NEXT_REVIEW:
            row = self._rows[row_no]
            return self._brush_for_overdue() if self.is_overdue(row) else None
        return None

    # --- cells ----------------------------------------------------------------------------

    def display_text(self, row: RegisterRow, column: Column) -> str:
        """The text shown in one cell (also what a screen reader gets by default)."""
        match column:
            case Column.NAME:
                return row.display_name
            case Column.UPN:
                return row.upn
            case Column.YEAR:
                return year_label(row.year_group)
            case Column.REG_GROUP:
                return row.reg_group or ""
            case Column.STATUS:
                return f"{row.provision} — {STATUS_SHORT.get(row.provision, row.provision)}"
            case Column.PRIMARY_NEED:
                return row.primary_need or ""
            case Column.AREA:
                return row.primary_area or ""
            case Column.SECONDARY_NEED:
                return row.secondary_need or ""
            case Column.EHCP_SINCE:
                return dmy(row.ehcp_since)
            case Column.NEXT_REVIEW:
                text = dmy(row.next_review_due)
                return f"{text} (overdue)" if self.is_overdue(row) else text
            case Column.ON_REGISTER_SINCE:
                return dmy(row.on_register_since)

    def _tooltip(self, row: RegisterRow, column: Column) -> str | None:
        match column:
            case Column.STATUS:
                try:
                    return f"{row.provision} — {PROVISION_LABELS[Provision(row.provision)]}"
                except ValueError:
                    return row.provision
            case Column.PRIMARY_NEED:
                return _need_tip(row.primary_need)
            case Column.SECONDARY_NEED:
                return _need_tip(row.secondary_need)
            case Column.NAME:
                legal = f"{row.legal_forename} {row.legal_surname}"
                return f"Legal name: {legal}" if legal != row.display_name else None
            case Column.NEXT_REVIEW if self.is_overdue(row):
                assert row.next_review_due is not None
                days = (self._today - row.next_review_due).days
                return f"Review overdue by {days} day{'s' if days != 1 else ''}"
            case _:
                return None

    def _brush_for_overdue(self) -> QBrush:
        """The overdue brush for the application's current palette (cached per palette)."""
        # Without a GUI application (a script, a model-only test) there is no app palette.
        gui = isinstance(QCoreApplication.instance(), QGuiApplication)
        palette = QGuiApplication.palette() if gui else QPalette()
        key = palette.cacheKey()
        if self._overdue_brush is None or self._overdue_brush[0] != key:
            self._overdue_brush = (key, overdue_brush(palette))
        return self._overdue_brush[1]

    # --- sorting -----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by one column, blanks last in either direction.

        Why the model sorts itself rather than letting QSortFilterProxyModel do it: the
        proxy compares rows by calling :meth:`data` from C++ twice per comparison, which
        for 20,000 pupils is about 600,000 Python calls — seconds per header click. Here
        Python's own sort runs over precomputed keys in a few milliseconds. The sort is
        stable, so clicking "Status" after "Name" keeps names in order within a status.
        A negative column restores nothing (the rows stay as they are).
        """
        if not 0 <= column < len(Column):
            self._sort_order = None
            return
        self._sort_order = (column, order)
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        positions = self._sorted_positions(column, order)
        new_row_of = [0] * len(positions)
        for new, old in enumerate(positions):
            new_row_of[old] = new
        self._rows = [self._rows[i] for i in positions]
        self._filter = self._filter.permuted(positions)
        self._sort_keys = {
            col: [keys[i] for i in positions] for col, keys in self._sort_keys.items()
        }
        old_indexes = self.persistentIndexList()
        new_indexes = [
            self.index(new_row_of[ix.row()], ix.column()) if ix.isValid() else QModelIndex()
            for ix in old_indexes
        ]
        self.changePersistentIndexList(old_indexes, new_indexes)
        self._notify_rows_replaced()
        self.layoutChanged.emit()

    @property
    def sort_order(self) -> tuple[int, Qt.SortOrder] | None:
        """The column and order last sorted by, or None when unsorted (service order)."""
        return self._sort_order

    def _sorted_positions(self, column: int, order: Qt.SortOrder) -> list[int]:
        """Current row positions in their new order: keyed sort, then blanks at the end."""
        keys = self._sort_column(column)
        blank = _BLANK[Column(column)]
        filled = [i for i, k in enumerate(keys) if k != blank]
        empty = [i for i, k in enumerate(keys) if k == blank]
        descending = order == Qt.SortOrder.DescendingOrder
        filled.sort(key=keys.__getitem__, reverse=descending)
        return filled + empty

    def _sort_column(self, column: int) -> list[Any]:
        """Sort keys for a whole column, built on first use and kept until the next reset.

        One type per column (str or int) so Qt compares like with like; blanks sort last.
        The Name column's keys come with the filter columns (built with the read).
        """
        if column == Column.NAME:
            return self._filter.name_keys
        keys = self._sort_keys.get(column)
        if keys is None:
            keys = [_SORT_KEY[Column(column)](r) for r in self._rows]
            self._sort_keys[column] = keys
        return keys


def _filter_lists(cols: FilterColumns) -> tuple[list[Any], ...]:
    return (cols.search_keys, cols.provisions, cols.areas, cols.needs, cols.years, cols.name_keys)


def _text_key(value: str | None) -> str:
    return fold(value) if value else _LAST_TEXT


def _date_key(value: date | None) -> int:
    return value.toordinal() if value else _LAST_DAY


_SORT_KEY: dict[Column, Callable[[RegisterRow], Any]] = {
    Column.NAME: name_sort_key,
    Column.UPN: lambda r: r.upn,
    Column.YEAR: lambda r: _LAST_YEAR if r.year_group is None else r.year_group,
    Column.REG_GROUP: lambda r: _text_key(r.reg_group),
    # E, K, N: alphabetical order happens to put the most support first.
    Column.STATUS: lambda r: r.provision,
    Column.PRIMARY_NEED: lambda r: _text_key(r.primary_need),
    Column.AREA: lambda r: _text_key(r.primary_area),
    Column.SECONDARY_NEED: lambda r: _text_key(r.secondary_need),
    Column.EHCP_SINCE: lambda r: _date_key(r.ehcp_since),
    Column.NEXT_REVIEW: lambda r: _date_key(r.next_review_due),
    Column.ON_REGISTER_SINCE: lambda r: _date_key(r.on_register_since),
}

_BLANK: dict[Column, Any] = {
    column: (
        _LAST_DAY
        if column in (Column.EHCP_SINCE, Column.NEXT_REVIEW, Column.ON_REGISTER_SINCE)
        else _LAST_YEAR
        if column == Column.YEAR
        else _LAST_TEXT
    )
    for column in Column
}
"""The sort key that means "blank" in each column (kept at the end whatever the order)."""


# --- the proxy -------------------------------------------------------------------------------

_HAS_FILTER_CHANGE = hasattr(QSortFilterProxyModel, "endFilterChange")  # Qt 6.10+

ROWS_PER_RUN = 32
"""How many rows' worth of full re-filtering one targeted run of changed rows costs.

A full re-filter costs about one Python call per source row (Qt asks ``filterAcceptsRow``
for each). A targeted update costs one ``dataChanged`` plus one removal or insertion in
the proxy and the view per *run* of rows whose visibility changed — measured at roughly
the price of 20-40 rows. So the usual keystroke once a name is half typed (a few runs)
is targeted, and a first letter that hides thousands of scattered rows re-filters fully.
"""
MIN_TARGETED_RUNS = 16


class RegisterFilterProxy(QSortFilterProxyModel):
    """Search and filters over a :class:`RegisterTableModel`; sorting delegated to it.

    Every setter recomputes a list of booleans (one per source row) in one pass over the
    model's precomputed columns. ``filterAcceptsRow`` — which Qt calls from C++, once per
    row on a full re-filter — is then a single list lookup. When only a few runs of rows
    change visibility, only those rows are re-checked (see :data:`ROWS_PER_RUN`).
    All filters combine with AND.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._needle = ""
        self._tokens: tuple[str, ...] = ()
        self._statuses: frozenset[str] = frozenset()
        self._area: str | None = None
        self._need_code: str | None = None
        self._year: int | None = None
        self._mask: list[bool] = []
        self._model: RegisterTableModel | None = None
        self.full_refilters = 0
        """How many changes needed a full re-filter (for tests and the benchmark)."""

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        """Accept only a RegisterTableModel; keep a Python reference and follow its rows.

        The model tells the proxy about new or reordered rows *before* Qt does, so the
        mask is always aligned with the rows when Qt starts asking ``filterAcceptsRow``.
        """
        if not isinstance(model, RegisterTableModel):
            raise TypeError("RegisterFilterProxy needs a RegisterTableModel as its source")
        if self._model is not None:
            self._model.remove_rows_listener(self._rows_replaced)
        self._model = model
        model.add_rows_listener(self._rows_replaced)
        self._mask = self._compute_mask()
        super().setSourceModel(model)

    # --- filter setters ---------------------------------------------------------------------

    def set_search(self, text: str) -> None:
        """Show pupils whose names (preferred or legal) or UPN contain every word of ``text``.

        Case, accents and apostrophes are ignored; an empty text shows everyone.
        """
        needle = " ".join(fold(text).split())
        if needle == self._needle:
            return
        # Typing one more letter can only hide rows: test just the rows still shown.
        narrowing = bool(self._needle) and needle.startswith(self._needle)
        self._needle = needle
        self._tokens = tuple(needle.split())
        self._refilter(narrowing=narrowing)

    def set_statuses(self, statuses: Collection[str] | None) -> None:
        """Show only these provision codes (N/K/E); None or empty shows every status."""
        wanted = frozenset(statuses or ())
        if wanted != self._statuses:
            self._statuses = wanted
            self._refilter()

    def set_area(self, area: str | None) -> None:
        """Show pupils with any recorded need in this broad area (an Area value), or all."""
        area = area or None
        if area != self._area:
            self._area = area
            self._refilter()

    def set_need_code(self, code: str | None) -> None:
        """Show pupils with this type-of-need code at any rank, or all when None."""
        code = code or None
        if code != self._need_code:
            self._need_code = code
            self._refilter()

    def set_year(self, year: int | None) -> None:
        """Show one year group (0 = Reception, negative = nursery), or all when None."""
        if year != self._year:
            self._year = year
            self._refilter()

    @property
    def search_text(self) -> str:
        """The folded search text in force."""
        return self._needle

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by asking the source model to reorder itself (see RegisterTableModel.sort).

        The proxy itself stays unsorted and shows the rows in source order, so a header
        click costs one Python sort instead of a comparison callback per pair of rows.
        ``SORT_ROLE`` still gives Qt-comparable keys for any caller that sorts by role.
        """
        if self._model is not None:
            self._model.sort(column, order)

    # --- results ----------------------------------------------------------------------------

    def register_model(self) -> RegisterTableModel:
        """The source model."""
        if self._model is None:
            raise RuntimeError("RegisterFilterProxy has no source model yet")
        return self._model

    def row_at(self, index: AnyIndex) -> RegisterRow | None:
        """The RegisterRow behind a *proxy* index (what the view hands out)."""
        if not index.isValid():
            return None
        return self.register_model().row_at(self.mapToSource(index))

    def visible_rows(self) -> list[RegisterRow]:
        """The rows the user sees, in the order shown (for "Export shown…").

        Read from the mask in one pass of plain Python, not through the proxy: asking Qt
        for each row's index and its source (three calls a row) took about 50 ms of the GUI
        thread for 10,000 pupils (issue 14). The two agree because this proxy never sorts
        (:meth:`sort` reorders the source model) and its filter is the mask: it shows
        exactly the source rows the mask accepts, in source order.
        """
        rows = self.register_model().rows
        return [row for row, shown in zip(rows, self._mask, strict=True) if shown]

    # --- filtering ----------------------------------------------------------------------------

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        # Hot path: Qt calls this once per source row. Keep it a single lookup.
        return self._mask[source_row]

    def _rows_replaced(self) -> None:
        """The model has new or reordered rows (called before it tells Qt)."""
        self._mask = self._compute_mask()

    def _refilter(self, *, narrowing: bool = False) -> None:
        """Recompute the mask, then update the proxy as cheaply as the change allows."""
        model = self._model
        if model is None:
            return
        old = self._mask
        new = self._compute_mask(narrowing=narrowing)
        runs = _changed_runs(old, new, max(MIN_TARGETED_RUNS, len(new) // ROWS_PER_RUN))
        if runs is not None:
            # Few rows changed: tell the proxy about just those rows. It re-runs the filter
            # for them alone and inserts or removes them; nothing else is touched.
            self._mask = new
            last = model.columnCount() - 1
            for first, end in runs:
                model.dataChanged.emit(model.index(first, 0), model.index(end, last), [])
            return
        self.full_refilters += 1
        if _HAS_FILTER_CHANGE:
            self.beginFilterChange()
            self._mask = new
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # Qt 6.6-6.9
            self._mask = new
            self.invalidateRowsFilter()

    def _compute_mask(self, *, narrowing: bool = False) -> list[bool]:
        """One pass over the precomputed columns: the rows every filter accepts.

        With ``narrowing`` (the search only grew, nothing else changed) rows hidden before
        stay hidden, so only the rows still shown are tested, and only on the search.
        """
        model = self._model
        if model is None:
            return []
        cols = model.filter_columns
        n = len(cols.search_keys)
        old = self._mask
        narrowing = narrowing and len(old) == n
        candidates: Iterable[int] = (
            [i for i, shown in enumerate(old) if shown] if narrowing else range(n)
        )
        mask = [False] * n
        statuses, area, code, year = self._statuses, self._area, self._need_code, self._year
        keys, tokens = cols.search_keys, self._tokens
        single = tokens[0] if len(tokens) == 1 else None
        provisions, areas, needs, years = cols.provisions, cols.areas, cols.needs, cols.years
        for i in candidates:
            if single is not None:
                if single not in keys[i]:
                    continue
            elif tokens and not all(t in keys[i] for t in tokens):
                continue
            if narrowing:  # the other filters were passed last time and have not changed
                mask[i] = True
                continue
            if statuses and provisions[i] not in statuses:
                continue
            if area is not None and area not in areas[i]:
                continue
            if code is not None and code not in needs[i]:
                continue
            if year is not None and years[i] != year:
                continue
            mask[i] = True
        return mask


def _changed_runs(old: list[bool], new: list[bool], limit: int) -> list[tuple[int, int]] | None:
    """Inclusive (first, last) runs of rows whose visibility differs, or None when the
    lists differ in length or there are more than ``limit`` runs."""
    if len(old) != len(new):
        return None
    runs: list[tuple[int, int]] = []
    start = -1
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if a != b:
            if start < 0:
                start = i
        elif start >= 0:
            runs.append((start, i - 1))
            start = -1
            if len(runs) > limit:
                return None
    if start >= 0:
        runs.append((start, len(new) - 1))
    return runs if len(runs) <= limit else None
