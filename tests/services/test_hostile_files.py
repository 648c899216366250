"""Hostile import files (issue 12): each refused in one sentence, with nothing written.

The files are the benchmark's (hostile_builders.py), some built smaller where the limit
they pass is the same. Times are measured by benchmarks/hostile_files.py, never here; a
child process's peak memory is asserted loosely for the files that used to exhaust it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import hostile_builders as hb
import pytest
from db_snapshot import table_counts

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.graduated.progress_data import import_attainment_csv
from sendesk.services.register import mis_reading
from sendesk.services.register.pupil_import import import_pupils, validate_file
from sendesk.services.staff.teaching_groups import import_classes, read_class_list
from tests.factories import add_test_pupil

ROOT = Path(__file__).resolve().parents[2]

# name -> (builder with test-sized arguments, the sentence's telling part)
CASES: dict[str, tuple[object, str]] = {
    "wide": (hb.wide_csv, r"line 1 has 100,009 columns, more than the 1,000 an MIS export"),
    "sparse to XFD": (
        lambda folder: hb.sparse_xlsx(folder, rows=5),
        r"row 2 has a value in column WKE, past the 1,000 columns an MIS export can have",
    ),
    "tall sheet": (
        lambda folder: hb.tall_xlsx(folder, rows=mis_reading.MAX_ROWS + 2),
        r"has a sheet of more than 100,000 rows, more than an MIS export can need",
    ),
    "big shared string": (
        lambda folder: hb.shared_string_xlsx(folder, megabytes=40),
        r"holds 40 MB of text in its shared strings, more than the 32 MB",
    ),
    "zip bomb": (
        lambda folder: hb.zip_bomb_xlsx(folder, megabytes=64),
        r"has a part that unpacks to [\d,]+ times its packed size \(a zip bomb\)",
    ),
    "10 MB cell": (
        hb.huge_cell_csv,
        r"line 2 has a cell of more than 32,767 characters, more than a cell can hold",
    ),
    "2 million rows": (hb.long_csv, r"has more than 100,000 lines, more than an MIS export"),
    "binary .csv": (hb.binary_csv, r"is not a text file \(it contains NUL bytes\)"),
    "not a zip": (
        hb.not_zip_xlsx,
        r"could not be read as an Excel workbook \(an \.xlsx file is a zip archive",
    ),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: build(folder) for name, (build, _) in CASES.items()}  # type: ignore[operator]


@pytest.mark.parametrize("name", list(CASES))
def test_every_reader_refuses_in_one_sentence(hostile: dict[str, Path], name: str) -> None:
    """The pupil export and class-list readers give the same single sentence."""
    pattern = CASES[name][1]
    path = hostile[name]
    with pytest.raises(ValidationError, match=pattern) as pupils:
        validate_file(path)
    with pytest.raises(ValidationError, match=pattern) as classes:
        read_class_list(path)
    for exc in (pupils.value, classes.value):
        text = str(exc)
        assert text.startswith(path.name) and text.endswith(".")
        assert text.count(". ") == 0 and "\n" not in text  # one sentence


@pytest.mark.parametrize("name", ["wide", "sparse to XFD", "big shared string", "2 million rows"])
def test_refused_imports_write_nothing(
    db: Database, senco: Actor, hostile: dict[str, Path], name: str
) -> None:
    add_test_pupil(db, senco, 1)
    before = table_counts(db)
    pattern = CASES[name][1]
    with pytest.raises(ValidationError, match=pattern):
        import_pupils(db, senco, hostile[name])
    with pytest.raises(ValidationError, match=pattern):
        import_classes(db, senco, hostile[name])
    assert table_counts(db) == before  # every table, the audit chain included


def test_attainment_import_has_the_same_limits(db: Database, senco: Actor, tmp_path: Path) -> None:
    before = table_counts(db)
    path = tmp_path / "assessments.csv"
    path.write_text("UPN,Subject,Measure,Value,Date\n" + "1,,,,\n" * (mis_reading.MAX_ROWS + 1))
    with pytest.raises(ValidationError, match="has more than 100,000 lines"):
        import_attainment_csv(db, senco, path)
    wide = hb.wide_csv(tmp_path)
    with pytest.raises(ValidationError, match="has 100,009 columns"):
        import_attainment_csv(db, senco, wide)
    assert table_counts(db) == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as out:  # sparse: the size is checked, the bytes never read
        out.truncate(mis_reading.MAX_FILE_BYTES + 1)
    with pytest.raises(ValidationError, match=r"big\.csv is 20\.0 MB, more than the 20 MB"):
        validate_file(path)


def test_a_row_with_empty_cells_far_right_is_read(tmp_path: Path) -> None:
    """Blank cells past column 1,000 (a formatted but empty range) are not a refusal."""
    cells = "".join(f'<c r="{hb._column_letters(c)}2"/>' for c in (5, 1200))

    def sheet() -> list[str]:
        return [
            hb._SHEET_START.format(ref="A1:ATD2"),
            hb._HEADER_ROW,
            '<row r="2"><c r="A2" t="inlineStr"><is><t>A801200015020</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>Smith</t></is></c>'
            '<c r="C2" t="inlineStr"><is><t>Amy</t></is></c>'
            '<c r="D2" t="inlineStr"><is><t>01/02/2013</t></is></c>' + cells + "</row>",
            hb._SHEET_END,
        ]

    path = hb._workbook(tmp_path / "formatted.xlsx", sheet())
    table = mis_reading.read_file(path)
    assert [row.values["surname"] for row in table.rows] == ["Smith"]


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long-cell.csv"
    path.write_text(f"{hb.HEADER}\nA801200015020,{'x' * 40_000},Amy,01/02/2013,7A,Maths\n")
    with pytest.raises(ValidationError, match="line 2 has a cell of 40,000 characters"):
        validate_file(path)


def test_header_matching_is_linear_in_the_columns(tmp_path: Path) -> None:
    """A header at the column limit with every name unknown is read (the old sort was
    quadratic); the unknown columns are listed in file order."""
    names = [f"Extra {i}" for i in range(mis_reading.MAX_COLUMNS - 4, 0, -1)]
    path = tmp_path / "wide-ok.csv"
    path.write_text("UPN,Surname,Forename,DOB," + ",".join(names) + "\n" + hb.ROW + "\n")
    table = mis_reading.read_file(path)
    assert table.unrecognised == names


def _peak_rss_mb(code: str) -> float:
    """Run ``code`` in a child Python and return its peak RSS in MB.

    Read as VmHWM in the child's /proc/self/status: getrusage's ru_maxrss of a child also
    counts the parent's pages from before exec (the pytest process here), which the
    benchmark, started from a small parent, does not suffer from.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    tail = (
        "\nimport re\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code + tail], env=env, capture_output=True, text=True, check=True
    )
    return int(result.stdout.split()[-1]) / 1024


@pytest.mark.parametrize(
    "build",
    [
        lambda folder: hb.shared_string_xlsx(folder, megabytes=300),
        lambda folder: hb.sparse_xlsx(folder, rows=mis_reading.MAX_ROWS + 2),
    ],
    ids=["300 MB shared string", "100,002 sparse rows to XFD"],
)
def test_files_that_exhausted_memory_are_refused_in_little(tmp_path: Path, build: object) -> None:
    """Before issue 12 the first took 1.1 GB and the second ended in MemoryError. A child
    process reads it; its peak RSS (Python and the reader included) stays under 200 MB."""
    path = build(tmp_path)  # type: ignore[operator]
    code = (
        "from sendesk.errors import ValidationError\n"
        "from sendesk.services.register.mis_reading import read_file\n"
        "try:\n"
        f"    read_file({str(path)!r})\n"
        "except ValidationError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit(1)\n"
    )
    assert _peak_rss_mb(code) < 200


# --- encodings -----------------------------------------------------------------------------

MIXED = (
    b"UPN,Surname,Forename,DOB\r\n"
    + "Y801200015020,Brontë,Zoë,01/02/2013\r\n".encode()
    + "M801200015021,Müller,Chloë,02/03/2013\r\n".encode("cp1252")
    + b"C801200015022,Smith,Amy,03/04/2013\r\n"
)


def test_lines_not_utf8_are_named_and_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    table = mis_reading.read_file(path)
    # Line by line: the UTF-8 line keeps its names (the whole file used to become mojibake).
    assert [r.values["forename"] for r in table.rows] == ["Zoë", "Chloë", "Amy"]
    assert table.legacy_lines == (3,)
    assert table.warnings == [
        "line 3 is not UTF-8, so it was read as Windows-1252 (Western European): check that "
        "accented names there look right, or choose the file's encoding (UTF-8 or "
        "Windows-1252) and read it again"
    ]
    _rows, report = validate_file(path)
    assert report.legacy_lines == (3,)
    assert "  Line 3 is not UTF-8, so it was read as Windows-1252" in report.format()


def test_the_encoding_can_be_chosen(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    with pytest.raises(
        ValidationError, match=r"mixed\.csv is not all UTF-8 \(line 3 cannot be read that way\)"
    ):
        mis_reading.read_file(path, encoding="utf-8")
    table = mis_reading.read_file(path, encoding="windows-1252")
    assert [r.values["forename"] for r in table.rows] == ["ZoÃ«", "Chloë", "Amy"]
    assert table.legacy_lines == () and table.warnings == []
    assert table.encoding == "Windows-1252"
    with pytest.raises(ValidationError, match="The encoding 'latin-9' is not one SENDesk reads"):
        mis_reading.read_file(path, encoding="latin-9")


def test_a_byte_windows_1252_does_not_use_is_named(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"UPN,Surname,Forename,DOB\r\nH1,\x81,A,1/1/2013\r\n")
    with pytest.raises(
        ValidationError, match=r"odd\.csv is not UTF-8 or Windows-1252 text \(line 2"
    ):
        mis_reading.read_file(path)
    with pytest.raises(ValidationError, match=r"\(line 2 has a byte Windows-1252 does not use\)"):
        mis_reading.read_file(path, encoding="windows-1252")


def test_many_legacy_lines_are_listed_briefly() -> None:
    assert mis_reading.line_list(list(range(2, 40))) == (
        "lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 28 more"
    )
    assert mis_reading.line_list([4, 9]) == "lines 4 and 9"
    assert mis_reading.line_list([1_200]) == "line 1,200"


def legacy_third_line(path: Path, header: str, line_2: str, line_3: str) -> Path:
    """A CSV at ``path`` whose third line alone was saved as Windows-1252 (Latin-1 here):
    a UTF-8 export someone added a line to in an old editor."""
    path.write_bytes(f"{header}\r\n{line_2}\r\n".encode() + f"{line_3}\r\n".encode("latin-1"))
    return path


def test_class_import_names_the_legacy_lines(db: Database, senco: Actor, tmp_path: Path) -> None:
    add_test_pupil(db, senco, 1)
    upn = make(801, 2000, 24, 1)
    path = legacy_third_line(
        tmp_path / "classes.csv",
        "Class code,Subject,Teacher,UPN",
        f"7A/Ma1,Maths,Mr Ng,{upn}",
        f"7A/Fr1,Fran\xe7ais,Mme L\xe9ger,{upn}",
    )
    report = import_classes(db, senco, path)
    assert report.written and report.legacy_lines == (3,)
    assert "Line 3 is not UTF-8, so it was read as Windows-1252" in report.format()
    forced = import_classes(db, senco, path, encoding="windows-1252")
    assert forced.written and forced.legacy_lines == ()


def test_a_long_header_is_listed_briefly(tmp_path: Path) -> None:
    """Up to 1,000 columns may be read, but a sentence names only the first 30."""
    path = tmp_path / "no-upn.csv"
    path.write_text(",".join(f"C{i}" for i in range(1, 501)) + "\n" + "x," * 499 + "x\n")
    with pytest.raises(ValidationError) as refused:
        validate_file(path)
    assert "(the columns are: C1, C2," in str(refused.value)
    assert "C30 and 470 more)" in str(refused.value)
    assert "C31," not in str(refused.value)


def test_attainment_import_names_the_legacy_lines(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    add_test_pupil(db, senco, 1)
    upn = make(801, 2000, 24, 1)
    path = legacy_third_line(
        tmp_path / "assessments.csv",
        "UPN,Subject,Measure,Value,Date",
        f"{upn},Maths,Grade,4,01/10/2025",
        f"{upn},Fran\xe7ais,Grade,5,01/10/2025",
    )
    report = import_attainment_csv(db, senco, path, today=date(2026, 3, 2))
    assert report.written and report.created == 2
    assert "  Line 3 is not UTF-8, so it was read as Windows-1252" in report.format()


def test_a_zip_directory_that_understates_a_part_cannot_smuggle_it_in(tmp_path: Path) -> None:
    """The directory says the sheet is 100 bytes; it is far more. Python's zipfile stops at
    the stated size and the CRC then fails: the workbook is refused, never read further."""
    path = hb.tall_xlsx(tmp_path, rows=2_000)
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02")  # the last central directory entry: the sheet
    assert data[entry + 46 : entry + 46 + 24] == b"xl/worksheets/sheet1.xml"
    assert int.from_bytes(data[entry + 24 : entry + 28], "little") > 100_000
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")  # the uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(
        ValidationError, match=r"^tall\.xlsx could not be read as an Excel workbook\.$"
    ):
        validate_file(path)


def test_utf16_lines_are_counted_before_they_are_split(tmp_path: Path) -> None:
    path = tmp_path / "unicode-text.csv"
    path.write_bytes(
        ("UPN\tSurname\tForename\tDOB\r\n" + "\n" * mis_reading.MAX_ROWS).encode("utf-16")
    )
    with pytest.raises(ValidationError, match="has more than 100,000 lines"):
        validate_file(path)
