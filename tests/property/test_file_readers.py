"""Generated hostile files through the MIS pupil export, class-list and attainment readers
(issue 12): every one is read or refused in a sentence, never a crash.

In memory apart from the file itself: these are the readers every import runs before it
opens a transaction (test_db_imports.py sends a smaller share through the database).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from cases import check, counted, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from strategies import NASTY, TEXT

from sendesk.rules.upn import make
from sendesk.services.graduated import progress_data
from sendesk.services.register import mis_columns, mis_reading, mis_values
from sendesk.services.register.pupil_import import validate_file
from sendesk.services.staff import teaching_groups

PUPIL_HEADERS = [h for headers in mis_columns._ALIAS_TABLE.values() for h in headers[:2]]
CLASS_HEADERS = [h for headers in teaching_groups._ALIAS_TABLE.values() for h in headers[:2]]
ATTAINMENT_HEADERS = ["UPN", "Subject", "Measure", "Value", "Expected", "Date", "Grade"]
ENCODINGS = st.sampled_from([None, "utf-8", "windows-1252"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property-files")


def written(path: Path, data: bytes) -> Path:
    """``data`` saved as the file at ``path``, as a user's download or USB stick gives it."""
    path.write_bytes(data)
    return path


def table(headers: Sequence[str]) -> st.SearchStrategy[list[list[str]]]:
    """A header (mostly known names, some hostile) and rows of hostile cells."""
    header = st.lists(st.sampled_from(headers) | TEXT, min_size=1, max_size=12)
    return header.flatmap(
        lambda h: st.lists(
            st.lists(TEXT, min_size=0, max_size=len(h) + 2), min_size=0, max_size=6
        ).map(lambda rows: [h, *rows])
    )


GOOD: dict[str, list[str]] = {
    "UPN": [make(801, 2000, 24, n) for n in range(1, 4)] + ["Y801200015020"],
    "Surname": ["Smith", "O'Neill, Snr", "Ó Súilleabháin"],
    "Forename": ["Amy", "Zoë", "Łukasz"],
    "DOB": ["01/02/2013", "2012-09-01", "31/08/2014"],
    "Year": ["7", "Y8", "R"],
    "SEN Status": ["K", "N", "E - EHC plan"],
    "Primary Need": ["SPLD", "ASD - Autistic spectrum disorder"],
    "Class code": ["7A/Ma1", "8B/En2"],
    "Subject": ["Maths", "English"],
    "Teacher": ["Ms Ng", ""],
    "Entered": ["yes", "no", ""],
    "Measure": ["Reading age", "Grade"],
    "Value": ["9.5", "4"],
    "Expected": ["", "5"],
    "Date": ["01/10/2025", "15/01/2026"],
}
"""Plausible values by column, mixed with hostile text so that some rows are valid."""


def shaped(required: Sequence[str], optional: Sequence[str]) -> st.SearchStrategy[list[list[str]]]:
    """A file with the columns an import needs (shuffled, with extras) and rows whose cells
    are plausible or hostile, column by column."""
    extras = st.lists(st.sampled_from(list(optional)) | TEXT, max_size=4, unique=True)
    header = extras.flatmap(lambda extra: st.permutations([*required, *extra]))

    def rows(h: list[str]) -> st.SearchStrategy[list[list[str]]]:
        cells = [st.sampled_from(GOOD.get(name, [""])) | TEXT for name in h]
        return st.lists(st.tuples(*cells).map(list), max_size=6).map(lambda r: [h, *r])

    return header.flatmap(rows)


def csv_bytes(rows: list[list[str]], how: str, delimiter: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "cp1252":
        return text.encode("cp1252", errors="replace")
    if how == "utf-8-sig":
        return text.encode("utf-8-sig")
    return text.encode("utf-8", errors="surrogatepass")


CSV_FILES = st.builds(
    csv_bytes,
    table(PUPIL_HEADERS)
    | shaped(["UPN", "Surname", "Forename", "DOB"], ["Year", "SEN Status", "Primary Need"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    st.sampled_from([",", ";", "\t"]),
)


@settings(max_examples=examples(700))
@given(data=CSV_FILES, encoding=ENCODINGS, mapping=st.none() | TEXT)
@counted
def test_pupil_export_csv(folder: Path, data: bytes, encoding: str | None, mapping: str) -> None:
    path = written(folder / "export.csv", data)
    result = check(validate_file, path, mapping, encoding=encoding)
    if result is not None:
        rows, report = result
        lines = {row.line for row in rows}
        assert not lines & set(report.problem_lines)  # a row with a problem is not imported
        assert report.format().strip()


@settings(max_examples=examples(1_500))
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".csv", ".txt", ".xlsx"]))
@counted
def test_pupil_export_of_arbitrary_bytes(folder: Path, data: bytes, suffix: str) -> None:
    path = written(folder / f"bytes{suffix}", data)
    check(validate_file, path)


def _workbook_bytes(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@settings(max_examples=examples(300))
@given(rows=table(PUPIL_HEADERS))
@counted
def test_pupil_export_xlsx(folder: Path, rows: list[list[str]]) -> None:
    path = written(folder / "export.xlsx", _workbook_bytes(rows))
    check(validate_file, path)


GOOD_XLSX = _workbook_bytes(
    [["UPN", "Surname", "Forename", "DOB"], ["Y801200015020", "Brontë", "Zoë", "01/02/2013"]]
)


@settings(max_examples=examples(700))
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    flips=st.integers(min_value=1, max_value=20),
    cut=st.none() | st.integers(min_value=0, max_value=len(GOOD_XLSX)),
)
@counted
def test_damaged_workbooks(folder: Path, seed: int, flips: int, cut: int | None) -> None:
    """A real workbook with bytes changed or cut off (a damaged download or USB stick)."""
    rng = random.Random(seed)
    data = bytearray(GOOD_XLSX[:cut] if cut is not None else GOOD_XLSX)
    for _ in range(flips if data else 0):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path = written(folder / "damaged.xlsx", bytes(data))
    check(validate_file, path)
    check(teaching_groups.read_class_list, path)


CLASS_FILES = st.builds(
    csv_bytes,
    table(CLASS_HEADERS) | shaped(["Class code", "Subject", "UPN"], ["Teacher", "Entered"]),
    st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    st.sampled_from([",", ";", "\t"]),
)


@settings(max_examples=examples(1_200))
@given(data=CLASS_FILES, encoding=ENCODINGS, mapping=st.none() | TEXT)
@counted
def test_class_list_csv(folder: Path, data: bytes, encoding: str | None, mapping: str) -> None:
    path = written(folder / "classes.csv", data)
    parsed = check(teaching_groups.parse_class_map, mapping) if mapping else None
    result = check(teaching_groups.read_class_list, path, parsed, encoding)
    if result is not None:
        kind, recognised, _unused, rows = result
        assert kind == "csv" and set(recognised.values()) >= set(teaching_groups.REQUIRED)
        assert all(set(row.values) == set(recognised.values()) for row in rows)


@settings(max_examples=examples(600))
@given(data=st.binary(max_size=2_000))
@counted
def test_class_list_of_arbitrary_bytes(folder: Path, data: bytes) -> None:
    path = written(folder / "classes-bytes.csv", data)
    check(teaching_groups.read_class_list, path)


ATTAINMENT_FILES = st.builds(
    csv_bytes,
    table(ATTAINMENT_HEADERS)
    | shaped(["UPN", "Subject", "Measure", "Value", "Date"], ["Expected"]),
    st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    st.sampled_from([",", ";", "\t"]),
)


@settings(max_examples=examples(800))
@given(data=ATTAINMENT_FILES | st.binary(max_size=1_000))
@counted
def test_attainment_csv(folder: Path, data: bytes) -> None:
    path = written(folder / "attainment.csv", data)
    check(progress_data._read_table, path)


@settings(max_examples=examples(1_500))
@given(text=TEXT | st.sampled_from(NASTY))
@counted
def test_cell_readers_and_maps(text: str) -> None:
    """The cell readers refuse with ValueError (the caller names the field); the --map
    readers and the encoding choice with a sentence."""
    from cases import checked_value_error

    for reader in (
        mis_values.parse_date,
        mis_values.parse_year,
        mis_values.parse_bool,
        mis_values.parse_gender,
        mis_values.provision_text,
        mis_values.need_text,
        mis_values.code_text,
    ):
        checked_value_error(reader, text)
    check(mis_columns.parse_map, text)
    check(teaching_groups.parse_class_map, text)
    check(mis_reading.encoding_choice, text)
    check(mis_columns.normalise_header, text)
