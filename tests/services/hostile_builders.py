"""Hostile import files, built small on disk: the tests and benchmarks/hostile_files.py use
the same builders (issue 12, "Hostile files").

Each builder writes one file into ``folder`` and returns its path. The large ones are
streamed (a workbook's parts are written through a deflating zip stream), so building a
"300 MB" shared string costs a few hundred kB of disk and little memory.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

HEADER = "UPN,Surname,Forename,DOB,Class code,Subject"
"""Columns both a pupil export and a class list need, so both imports reach the limits."""
ROW = "Y801200015020,Smith,Amy,01/02/2013,7A/Ma1,Maths"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Pupils" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{ref}"/><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
_HEADER_ROW = (
    '<row r="1">'
    '<c r="A1" t="inlineStr"><is><t>UPN</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Surname</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Forename</t></is></c>'
    '<c r="D1" t="inlineStr"><is><t>DOB</t></is></c>'
    '<c r="E1" t="inlineStr"><is><t>Class code</t></is></c>'
    '<c r="F1" t="inlineStr"><is><t>Subject</t></is></c></row>'
)
_CHUNK = 1 << 20


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _stream(archive: zipfile.ZipFile, name: str, pieces: Iterable[str]) -> None:
    """Write one part through a deflating stream, buffering about 1 MB at a time."""
    with archive.open(name, "w", force_zip64=True) as out:
        buffer: list[str] = []
        size = 0
        for piece in pieces:
            buffer.append(piece)
            size += len(piece)
            if size >= _CHUNK:
                out.write("".join(buffer).encode())
                buffer, size = [], 0
        out.write("".join(buffer).encode())


def _workbook(
    path: Path,
    sheet: Iterable[str],
    shared: Iterable[str] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
    ),
    level: int = 6,
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        _stream(archive, "xl/sharedStrings.xml", shared)
        _stream(archive, "xl/worksheets/sheet1.xml", sheet)
    return path


def wide_csv(folder: Path, columns: int = 100_009) -> Path:
    """A CSV whose header has ``columns`` columns (the four a pupil export needs first)."""
    extra = ",".join(f"Column {i}" for i in range(7, columns + 1))
    path = folder / "wide.csv"
    path.write_text(f"{HEADER},{extra}\r\n{ROW}\r\n", encoding="utf-8")
    return path


def sparse_xlsx(folder: Path, rows: int = 1_048_576) -> Path:
    """An XLSX of ``rows`` rows each with one number, the columns reaching XFD (16,384):
    row r has its value in column (r * 7919) mod 16,384 + 1, so the values wander across
    the whole sheet. About 8 MB on disk for the full 1,048,576 rows."""

    def sheet() -> Iterable[str]:
        yield _SHEET_START.format(ref=f"A1:XFD{rows}")
        yield _HEADER_ROW
        for r in range(2, rows + 1):
            column = _column_letters((r * 7919) % 16_384 + 1)
            yield f'<row r="{r}"><c r="{column}{r}"><v>{r}</v></c></row>'
        yield _SHEET_END

    return _workbook(folder / "sparse.xlsx", sheet(), level=9)


def tall_xlsx(folder: Path, rows: int = 1_048_576) -> Path:
    """An XLSX of ``rows`` rows, each a pupil-shaped row in columns A to D."""

    def sheet() -> Iterable[str]:
        yield _SHEET_START.format(ref=f"A1:F{rows}")
        yield _HEADER_ROW
        for r in range(2, rows + 1):
            yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>'
        yield _SHEET_END

    return _workbook(folder / "tall.xlsx", sheet(), level=9)


def shared_string_xlsx(folder: Path, megabytes: int = 300) -> Path:
    """An XLSX whose shared-string table holds one string of ``megabytes`` MB."""
    block = "A" * _CHUNK

    def shared() -> Iterable[str]:
        yield (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'count="1" uniqueCount="1"><si><t>'
        )
        for _ in range(megabytes):
            yield block
        yield "</t></si></sst>"

    def sheet() -> Iterable[str]:
        yield _SHEET_START.format(ref="A1:F2")
        yield _HEADER_ROW
        yield '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
        yield _SHEET_END

    return _workbook(folder / "shared-string.xlsx", sheet(), shared(), level=9)


def zip_bomb_xlsx(folder: Path, megabytes: int = 1024) -> Path:
    """An XLSX whose sheet unpacks to ``megabytes`` MB of blank space (about 1 MB packed)."""
    block = " " * _CHUNK

    def sheet() -> Iterable[str]:
        yield _SHEET_START.format(ref="A1:F1")
        yield _HEADER_ROW
        for _ in range(megabytes):
            yield block
        yield _SHEET_END

    return _workbook(folder / "zip-bomb.xlsx", sheet(), level=9)


def huge_cell_csv(folder: Path, megabytes: int = 10) -> Path:
    """A CSV with one quoted cell of ``megabytes`` MB."""
    path = folder / "huge-cell.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(f'{HEADER}\r\nY801200015020,"')
        for _ in range(megabytes):
            out.write("B" * _CHUNK)
        out.write('",Amy,01/02/2013,7A/Ma1,Maths\r\n')
    return path


def long_csv(folder: Path, rows: int = 2_000_000) -> Path:
    """A CSV with ``rows`` short lines under the header (7 bytes each, 14 MB in all)."""
    path = folder / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        line = "1,,,,,\n"
        for _ in range(rows // 10_000):
            out.write(line * 10_000)
        out.write(line * (rows % 10_000))
    return path


def binary_csv(folder: Path, size: int = 1_000_000) -> Path:
    """Random bytes (a fixed seed) in a file named .csv."""
    path = folder / "binary.csv"
    path.write_bytes(random.Random(12).randbytes(size))
    return path


def not_zip_xlsx(folder: Path) -> Path:
    """A text file named .xlsx."""
    path = folder / "not-a-zip.xlsx"
    path.write_text(f"{HEADER}\r\n{ROW}\r\n", encoding="utf-8")
    return path


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "CSV with 100,009 header columns": wide_csv,
    "XLSX, 1,048,576 sparse rows to column XFD": sparse_xlsx,
    "XLSX, 1,048,576 rows": tall_xlsx,
    "XLSX with a 300 MB shared string": shared_string_xlsx,
    "XLSX zip bomb (1 GB sheet)": zip_bomb_xlsx,
    "CSV with a 10 MB cell": huge_cell_csv,
    "CSV with 2,000,000 rows": long_csv,
    "binary file named .csv": binary_csv,
    "XLSX that is not a zip": not_zip_xlsx,
}
"""Name -> builder, in the order the benchmark prints them."""
