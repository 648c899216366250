"""Reading a CSV or XLSX export within limits: the encoding (UTF-8, UTF-16 or
Windows-1252, line by line), the delimiter, the workbook's zip checked before it is opened,
and the header row found among the first few.

Why limits: an export is read whole before anything is written, so a file far larger than
any school's export (a wrong file, a damaged one, or one made to hurt) is refused before it
is parsed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from sendesk.errors import ValidationError
from sendesk.services.register.mis_columns import (
    HEADER_SEARCH_ROWS,
    SUFFIXES,
    SourceTable,
    build_rows,
    clean_cell,
    resolve_headers,
)

# --- limits ----------------------------------------------------------------------------
# An export is read whole before anything is written, so a file far larger than any
# school's export (a wrong file, a damaged one, or one made to hurt) must be refused before
# it is parsed: in well under two seconds, in one sentence, without exhausting memory.
# Each number is many times what the largest real export needs.

MAX_FILE_BYTES = 20 * 1024 * 1024
"""20 MB. A 4,000-pupil all-through school's export with 60 columns is about 3 MB as CSV;
a class list (one row per pupil per class, 4,000 x 20 classes) about 4 MB."""

MAX_ROWS = 100_000
"""Lines of a CSV or rows of a sheet. The largest file is a class list: 4,000 pupils in
up to 20 classes each is 80,000 rows. Counted on the raw lines before any parsing."""

MAX_COLUMNS = 1_000
"""Columns in the header or any row. An MIS "all fields" report has a few hundred at most;
header matching and every row's cells scale with this number."""

MAX_CELL_CHARS = 32_767
"""Excel's own limit for one cell; no MIS field (a name, a code, a date) comes near it."""

MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
"""The parts of a workbook added up, unpacked, as its zip directory states them (Python's
zipfile stops reading a part at its stated size, so the directory cannot lie). A 100,000
row sheet of 20 short cells is about 150 MB of XML; openpyxl streams the sheet itself."""

MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
"""openpyxl loads the shared-string table whole (even read-only), at several times its
size in memory; a real export's table (names, codes, dates as text) is a few MB."""

MAX_COMPRESSION_RATIO = 200
"""A part of over 1 MB that unpacks to more than this many times its packed size is a zip
bomb: spreadsheet XML packs about 10 to 30 times, and a very repetitive sheet up to 100."""

ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf8": "UTF-8",
    "windows-1252": "Windows-1252",
    "cp1252": "Windows-1252",
}
"""``--encoding`` values a person may give for a CSV file (None means detect)."""


# --- reading within the limits ----------------------------------------------------------

_MB = 1024 * 1024
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
_SHOWN_LINES = 10


def line_list(numbers: Sequence[int], word: str = "line") -> str:
    """ "line 4", "lines 4 and 9", "lines 4, 9, 12 and 30 more" (for messages)."""
    shown = [f"{n:,}" for n in numbers[:_SHOWN_LINES]]
    more = len(numbers) - len(shown)
    if more:
        return f"{word}s {', '.join(shown)} and {more:,} more"
    if len(shown) == 1:
        return f"{word} {shown[0]}"
    return f"{word}s {', '.join(shown[:-1])} and {shown[-1]}"


def encoding_choice(text: str | None) -> str | None:
    """The encoding a person chose ("utf-8", "windows-1252"), as its plain name, or None
    to detect. Raises ValidationError for anything else."""
    folded = (text or "").strip().casefold()
    if folded in ("", "detect", "auto"):
        return None
    if folded not in ENCODINGS:
        raise ValidationError(
            f"The encoding '{(text or '').strip()}' is not one SENDesk reads; choose utf-8 or "
            "windows-1252 (or leave it out to detect)."
        )
    return ENCODINGS[folded]


@dataclass
class Records:
    """The records of a CSV file or a workbook's first sheet, read lazily.

    ``rows`` yields ``(line, cells)`` and raises ValidationError (one sentence) as soon as
    a limit is passed, so a caller never holds more than it keeps. ``legacy_lines`` are
    the CSV lines that were not UTF-8 and were read as Windows-1252 while detecting.
    """

    name: str
    kind: str
    rows: Iterator[tuple[int, list[str]]]
    encoding: str = ""
    legacy_lines: tuple[int, ...] = ()

    @property
    def word(self) -> str:
        return "row" if self.kind == "xlsx" else "line"

    @property
    def warnings(self) -> list[str]:
        """A note naming the lines read as Windows-1252 (none for a clean file)."""
        if not self.legacy_lines:
            return []
        one = len(self.legacy_lines) == 1
        return [
            f"{line_list(self.legacy_lines)} {'is' if one else 'are'} not UTF-8, so "
            f"{'it was' if one else 'they were'} read as Windows-1252 (Western European): "
            "check that accented names there look right, or choose the file's encoding "
            "(UTF-8 or Windows-1252) and read it again"
        ]


@dataclass
class FileImportReport:
    """What every import of an MIS export reports about the file it read and what it did,
    whatever the file holds (pupils, classes): the pupil import's and the class-list
    import's reports extend it with their own counts and their own printed lines."""

    file_name: str = ""
    kind: str = "csv"
    rows_read: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    unused_columns: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    cancelled: bool = False
    encoding: str = ""  # how a CSV was read: "UTF-8", "UTF-16" or "Windows-1252"
    legacy_lines: tuple[int, ...] = ()  # lines not UTF-8, read as Windows-1252

    @property
    def line_word(self) -> str:
        return "row" if self.kind == "xlsx" else "line"

    def _where(self, line: int) -> str:
        return f"{self.line_word} {line}: " if line else ""

    def _column_lines(self, labels: Mapping[str, str]) -> list[str]:
        """The report's lines on the file's columns: each header read, with the field it
        was read as (named by ``labels``), and the headers not used."""
        out: list[str] = []
        if self.columns:
            used = "; ".join(f"{h} → {labels[k]}" for h, k in self.columns.items())
            out.append(f"Columns read: {used}.")
        if self.unused_columns:
            out.append(f"Columns not used: {', '.join(self.unused_columns)}.")
        return out


def _too_many_lines(name: str) -> ValidationError:
    return ValidationError(
        f"{name} has more than {MAX_ROWS:,} lines, more than an MIS export can need, so it "
        "was not read (is it the right file?)."
    )


def _check_cells(name: str, word: str, line: int, cells: Sequence[str]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise ValidationError(
            f"{name} {word} {line:,} has {len(cells):,} columns, more than the {MAX_COLUMNS:,} "
            "an MIS export can have, so the file was not read."
        )
    longest = max(map(len, cells), default=0)
    if longest > MAX_CELL_CHARS:
        raise ValidationError(
            f"{name} {word} {line:,} has a cell of {longest:,} characters, more than the "
            f"{MAX_CELL_CHARS:,} a cell can hold, so the file was not read."
        )


def decode_lines(
    data: bytes, name: str, encoding: str | None = None
) -> tuple[list[str], tuple[int, ...]]:
    """A CSV file's physical lines as text (line ends kept) and the lines read as
    Windows-1252 while detecting.

    UTF-16 (a byte-order mark says so) is read as such. Otherwise each line is read as
    UTF-8, or with ``encoding`` "Windows-1252" as that; detecting (None), a line that is
    not UTF-8 is read as Windows-1252 and named, so the person can check those names or
    choose the encoding. A UTF-8 character never contains a line-end byte, so reading line
    by line gives the same text as reading the file whole. The line count is checked on
    the raw bytes before anything is decoded.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValidationError(f"{name} is not readable UTF-16 text.") from None
        if text.count("\n") + text.count("\r") - text.count("\r\n") > MAX_ROWS:
            raise _too_many_lines(name)
        lines = list(io.StringIO(text, newline=""))
        if any("\x00" in line for line in lines):
            raise ValidationError(f"{name} is not a text file (it contains NUL bytes).")
        return lines, ()
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    # Line ends are counted on the bytes before the lines are made (a line object each).
    if data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") > MAX_ROWS:
        raise _too_many_lines(name)
    raw = data.splitlines(keepends=True)  # \n, \r and \r\n, as csv and StringIO split
    if len(raw) > MAX_ROWS:
        raise _too_many_lines(name)
    first = "cp1252" if encoding == "Windows-1252" else "utf-8"
    fallback = encoding is None
    lines: list[str] = []
    legacy: list[int] = []
    bad: list[int] = []
    for number, chunk in enumerate(raw, start=1):
        if b"\x00" in chunk:
            raise ValidationError(f"{name} is not a text file (it contains NUL bytes).")
        try:
            lines.append(chunk.decode(first))
            continue
        except UnicodeDecodeError:
            pass
        if fallback:
            try:
                lines.append(chunk.decode("cp1252"))
                legacy.append(number)
                continue
            except UnicodeDecodeError:
                pass
        bad.append(number)
    if bad:
        raise _undecodable(name, encoding, bad)
    return lines, tuple(legacy)


def _undecodable(name: str, encoding: str | None, bad: Sequence[int]) -> ValidationError:
    where = line_list(bad)
    if encoding == "UTF-8":
        return ValidationError(
            f"{name} is not all UTF-8 ({where} cannot be read that way); choose Windows-1252 "
            "or detect, or save the export as CSV UTF-8 and try again."
        )
    if encoding == "Windows-1252":
        return ValidationError(
            f"{name} is not Windows-1252 text ({where} has a byte Windows-1252 does not use); "
            "choose UTF-8 or detect."
        )
    return ValidationError(
        f"{name} is not UTF-8 or Windows-1252 text ({where} cannot be read); save the "
        "export as CSV UTF-8 and try again."
    )


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(lines: list[str], name: str) -> Iterator[tuple[int, list[str]]]:
    """Records with the physical line each starts on (quoted newlines span lines)."""
    first = next((ln for ln in lines if ln.strip()), "")
    reader = csv.reader(iter(lines), delimiter=_sniff_delimiter(first), strict=False)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # csv's own cap, 131,072
                raise ValidationError(
                    f"{name} line {reader.line_num:,} has a cell of more than "
                    f"{MAX_CELL_CHARS:,} characters, more than a cell can hold, so the file "
                    "was not read."
                ) from None
            raise ValidationError(
                f"{name} line {reader.line_num} cannot be read as CSV ({exc})."
            ) from None
        _check_cells(name, "line", start, cells)
        yield start, cells


def _check_workbook_zip(path: Path, name: str) -> None:
    """Refuse a workbook by its zip directory, before openpyxl reads any part of it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except Exception:  # BadZipFile, OSError, ValueError, EOFError... a broken directory
        raise ValidationError(
            f"{name} could not be read as an Excel workbook (an .xlsx file is a zip archive "
            "and this is not one); save it from Excel as .xlsx or CSV and try again."
        ) from None
    for part in parts:
        if part.filename.casefold().endswith("sharedstrings.xml") and (
            part.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise ValidationError(
                f"{name} holds {part.file_size / _MB:,.0f} MB of text in its shared strings, "
                f"more than the {MAX_SHARED_STRINGS_BYTES // _MB} MB an MIS export can need, "
                "so it was not opened."
            )
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > _MB and ratio > MAX_COMPRESSION_RATIO:
            raise ValidationError(
                f"{name} has a part that unpacks to {ratio:,} times its packed size (a zip "
                "bomb), so it was not opened."
            )
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise ValidationError(
            f"{name} unpacks to {total / _MB:,.0f} MB, more than the "
            f"{MAX_XLSX_UNCOMPRESSED // _MB} MB an MIS export can need, so it was not opened."
        )
    with zipfile.ZipFile(path) as archive:
        for part in parts:
            if _SHEET_PART.fullmatch(part.filename) and _too_many_rows(archive, part, name):
                raise ValidationError(
                    f"{name} has a sheet of more than {MAX_ROWS:,} rows, more than an MIS "
                    "export can need, so it was not opened (is it the right file?)."
                )


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _too_many_rows(archive: Any, part: Any, name: str) -> bool:
    """Count a sheet's row elements on its raw XML, streamed a megabyte at a time: many
    times faster than parsing them, so a sheet of a million rows is refused at once."""
    rows = 0
    tail = b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_MB):
                block = tail + chunk
                end = 0
                for match in _ROW_TAG.finditer(block):
                    rows += 1
                    end = match.end()
                if rows > MAX_ROWS:
                    return True
                # A row tag cut by the chunk's end starts in its last few bytes, after the
                # last tag counted; keep those bytes for the next chunk (a bounded tail).
                tail = block[max(end, len(block) - _TAG_TAIL) :]
    except Exception:  # a damaged part: bad CRC, bad deflate data, unknown compression...
        raise _not_workbook(name) from None
    return False


_TAG_TAIL = 64


def _not_workbook(name: str) -> ValidationError:
    return ValidationError(f"{name} could not be read as an Excel workbook.")


def _xlsx_rows(path: Path, name: str) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows (read-only, streamed), numbered as Excel numbers them."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    _check_workbook_zip(path, name)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged package; all mean this
        raise _not_workbook(name) from None
    try:
        if not book.worksheets:
            raise ValidationError(f"{name} has no sheets.")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read every cell
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise ValidationError(
                    f"{name} has more than {MAX_ROWS:,} rows, more than an MIS export can "
                    "need, so it was not read (is it the right file?)."
                )
            width = len(values)
            if width > MAX_COLUMNS:
                beyond = values[MAX_COLUMNS:]
                if beyond.count(None) != len(beyond):  # a value, not only blank cells
                    last = max(i for i, v in enumerate(values) if v is not None)
                    raise ValidationError(
                        f"{name} row {number:,} has a value in column "
                        f"{get_column_letter(last + 1)}, past the {MAX_COLUMNS:,} columns an "
                        "MIS export can have, so the file was not read."
                    )
                width = MAX_COLUMNS
            while width and values[width - 1] is None:
                width -= 1
            cells = [cell_text(v) for v in values[:width]]
            _check_cells(name, "row", number, cells)
            yield number, cells
    except ValidationError:
        raise
    except Exception:  # a damaged part found while streaming (bad XML, bad CRC, ...)
        raise _not_workbook(name) from None
    finally:
        book.close()


def open_records(path: Path, kind: str, encoding: str | None = None) -> Records:
    """The records of an export, within the limits (size first, then lines or parts).

    ``kind`` is "csv" or "xlsx"; ``encoding`` (CSV only) as :func:`encoding_choice`
    gives it, None to detect. Raises ValidationError with one sentence for a file that is
    too large, cannot be read, or is not the kind its name says.
    """
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ValidationError(f"{path} does not exist.") from None
    except OSError as exc:
        raise ValidationError(f"{path} could not be read ({exc.strerror or exc}).") from None
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            f"{name} is {size / _MB:,.1f} MB, more than the {MAX_FILE_BYTES // _MB} MB an MIS "
            "export can need, so it was not read (is it the right file?)."
        )
    if kind == "xlsx":
        return Records(name, kind, _xlsx_rows(path, name))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path} could not be read ({exc.strerror or exc}).") from None
    if data.startswith(_UTF16_BOMS):
        chosen = "UTF-16"
    else:
        chosen = encoding or "UTF-8"
    lines, legacy = decode_lines(data, name, encoding)
    del data
    if legacy:
        chosen = "Windows-1252"  # for the lines named; the others were UTF-8
    return Records(name, kind, _csv_rows(lines, name), chosen, legacy)


T = TypeVar("T")


def split_header(
    records: Records, tries: int, resolve: Callable[[list[str]], T], empty: str
) -> tuple[T, Iterator[tuple[int, list[str]]]]:
    """Find the header among the first ``tries`` non-empty records; what ``resolve`` made
    of it and the records after it. ``resolve`` raises ValidationError for a row that is
    not the header; the first such error is raised when none is. ``empty`` is the sentence
    for a file with no non-empty record."""
    first_error: ValidationError | None = None
    tried = 0
    for _line, cells in records.rows:
        if not any(c.strip() for c in cells):
            continue
        try:
            return resolve(cells), records.rows
        except ValidationError as exc:
            first_error = first_error or exc
            tried += 1
            if tried >= tries:
                break
    if first_error is not None:
        raise first_error
    raise ValidationError(empty)


def _headers(cells: Sequence[str], *, trim: bool) -> list[str]:
    headers = [clean_cell(h) for h in cells]
    while trim and headers and not headers[-1]:
        headers.pop()
    return headers


def _read(
    path: Path, kind: str, mapping: Mapping[str, str] | None, encoding: str | None
) -> SourceTable:
    records = open_records(path, kind, encoding)
    xlsx = kind == "xlsx"
    empty = (
        f"The first sheet of {path.name} is empty: there is no header row."
        if xlsx
        else f"{path.name} is empty: there is no header row."
    )

    def resolve(
        cells: list[str],
    ) -> tuple[list[str], tuple[dict[int, str], dict[str, str], list[str], list[str]]]:
        headers = _headers(cells, trim=xlsx)
        return headers, resolve_headers(headers, mapping)

    with closing(records.rows):
        (headers, resolved), rest = split_header(
            records, HEADER_SEARCH_ROWS if xlsx else 1, resolve, empty
        )
        columns, recognised, unrecognised, header_warnings = resolved
        rows = build_rows(rest, columns, len(headers), records.word, check_width=not xlsx)
    table = SourceTable(
        path, kind, headers, recognised, unrecognised, rows, records.warnings + header_warnings
    )
    table.encoding = records.encoding
    table.legacy_lines = records.legacy_lines
    return table


# --- XLSX ------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates as yyyy-mm-dd, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_file(
    path: Path | str, mapping: Mapping[str, str] | None = None, encoding: str | None = None
) -> SourceTable:
    """Read a CSV or XLSX pupil export; ``mapping`` is ``{header: field}`` (see parse_map),
    ``encoding`` a CSV's encoding as :func:`encoding_choice` reads it (None: detect).

    Raises ValidationError (one sentence) for a file that cannot be read, is past a limit
    (see MAX_FILE_BYTES and the rest), an unknown extension, a --map header the file
    lacks, or missing required columns.
    """
    path = Path(path)
    kind = SUFFIXES.get(path.suffix.casefold())
    if kind is None:
        if path.suffix.casefold() == ".xls":
            raise ValidationError(
                f"{path.name} is an old Excel (.xls) file; save it as .xlsx or CSV and try again."
            )
        raise ValidationError(
            f"{path.name} is not a CSV or XLSX file (expected a name ending .csv or .xlsx)."
        )
    if not path.exists():
        raise ValidationError(f"{path} does not exist.")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder, not an export file.")
    table = _read(path, kind, mapping, encoding_choice(encoding))
    if not table.rows:
        raise ValidationError(f"{path.name} has a header row but no pupils.")
    return table
