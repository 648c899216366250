"""Reading pupil exports from a school's MIS (SIMS, Arbor, Bromcom) into plain rows.

Why this module exists: every MIS names the same columns differently and every school's
export has its own quirks (a byte-order mark, CRLF line ends, Windows-1252 from an old
Excel, dates as text or as Excel dates, names with commas in quotes). This module turns a
CSV or XLSX file into :class:`SourceRow` objects keyed by SENDesk's own field names, with
the *physical file line* (or sheet row) each record starts on, so an import report can
point the person fixing the export at the right place. It is Qt-free and DB-free; the
importer (:mod:`sendesk.services.register.pupil_import`) decides what the values mean for a pupil.

CSV: UTF-8 (a BOM is fine), UTF-16 (Excel "Unicode text"), or Windows-1252: detected line
by line, a line that is not UTF-8 is read as Windows-1252 and named in the warnings (or
the person chooses the encoding); comma, semicolon or tab separated; the header is the
first non-blank line. XLSX: the first sheet; the header is the first non-empty row (or
one of the next few, when a report puts a title above it).

Hostile files (issue 12): a file past a limit (MAX_FILE_BYTES, MAX_ROWS, MAX_COLUMNS,
MAX_CELL_CHARS; for a workbook MAX_XLSX_UNCOMPRESSED, MAX_SHARED_STRINGS_BYTES and
MAX_COMPRESSION_RATIO, read from its zip directory, and its rows counted on the raw XML)
is refused in one sentence before it is parsed, and records are streamed so memory grows
with the fields read, not the file (benchmarks/hostile_files.py measures both).

The small ``parse_*`` helpers read one cell each and raise ValueError with a plain
sentence fragment that starts with the offending value (the caller adds the field's name,
e.g. "date of birth 31/02/2013 does not exist"). Dates are always read day first.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from sendesk.errors import ValidationError
from sendesk.rules.census import NEED_CODES

FIELDS: tuple[str, ...] = (
    "upn",
    "surname",
    "forename",
    "preferred_surname",
    "preferred_forename",
    "dob",
    "gender",
    "year",
    "reg_group",
    "admission_date",
    "leaving_date",
    "sen_status",
    "primary_need",
    "secondary_need",
    "sen_start_date",
    "eal",
    "pupil_premium",
    "looked_after",
    "nhs_number",
    "home_language",
    "ethnicity",
)
"""The field keys a column can be mapped to (``--map "Header=field"``)."""

REQUIRED: tuple[str, ...] = ("upn", "surname", "forename", "dob")

FIELD_LABELS: dict[str, str] = {
    "upn": "UPN",
    "surname": "legal surname",
    "forename": "legal forename",
    "preferred_surname": "preferred surname",
    "preferred_forename": "preferred forename",
    "dob": "date of birth",
    "gender": "gender",
    "year": "year group",
    "reg_group": "registration group",
    "admission_date": "admission date",
    "leaving_date": "leaving date",
    "sen_status": "SEN status",
    "primary_need": "primary need",
    "secondary_need": "secondary need",
    "sen_start_date": "SEN start date",
    "eal": "EAL",
    "pupil_premium": "pupil premium",
    "looked_after": "looked after",
    "nhs_number": "NHS number",
    "home_language": "home language",
    "ethnicity": "ethnicity",
}
"""Plain names of the fields, for messages."""

HEADER_SEARCH_ROWS = 5
"""How many non-empty rows at the top of a sheet may be titles above the header."""

SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}

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


def normalise_header(text: str) -> str:
    """A header reduced for matching: case-folded, letters and digits only.

    "Student UPN", "student_upn" and " STUDENT-UPN " all become ``"studentupn"``.
    """
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# Usual headers of SIMS, Arbor and Bromcom exports (and common hand-made variants), by field.
# FSM is deliberately absent: free school meals is not the same thing as pupil premium.
_ALIAS_TABLE: dict[str, tuple[str, ...]] = {
    "upn": ("UPN", "Student UPN", "Pupil UPN", "Unique Pupil Number", "Unique pupil number UPN"),
    "surname": (
        "Legal Surname",
        "Surname",
        "Last name",
        "Legal Last Name",
        "Legal family name",
        "Family name",
        "Student Surname",
        "Pupil Surname",
        "Student Legal Surname",
    ),
    "forename": (
        "Legal Forename",
        "Forename",
        "First name",
        "Legal First Name",
        "Given name",
        "Student Forename",
        "Pupil Forename",
        "Student First Name",
    ),
    "preferred_surname": (
        "Preferred Surname",
        "Preferred last name",
        "Preferred family name",
        "Chosen surname",
    ),
    "preferred_forename": (
        "Preferred Forename",
        "Preferred first name",
        "Preferred name",
        "Known as",
        "Chosen name",
    ),
    "dob": ("DOB", "Date of birth", "Birth date", "Birthdate"),
    "gender": ("Gender", "Sex", "Legal sex"),
    "year": (
        "Year",
        "Year group",
        "NC Year",
        "NC Year Actual",
        "National curriculum year",
        "Curriculum year",
    ),
    "reg_group": (
        "Reg",
        "Reg Group",
        "Registration form",
        "Registration group",
        "Reg form",
        "Tutor Group",
        "Form",
        "Form group",
    ),
    "admission_date": ("Admission Date", "Date of admission", "Start Date", "Entry date"),
    "leaving_date": ("Leaving Date", "Date of leaving", "Leave date", "Date left"),
    "sen_status": ("SEN Status", "SEN Provision", "SEND Status", "SEN stage", "SEN"),
    "primary_need": (
        "Primary Need",
        "Primary SEN need",
        "SEN Primary Need",
        "Primary SEN type",
        "SEN Need 1",
        "SEN Need Type 1",
    ),
    "secondary_need": (
        "Secondary Need",
        "Secondary SEN need",
        "SEN Secondary Need",
        "Secondary SEN type",
        "SEN Need 2",
        "SEN Need Type 2",
    ),
    "sen_start_date": (
        "SEN Start Date",
        "SEN Status Start Date",
        "SEN Provision Start Date",
        "Date of SEN status",
    ),
    "eal": ("EAL", "English as an additional language", "EAL status"),
    "pupil_premium": ("Pupil premium", "PP", "Pupil premium indicator", "Pupil premium eligible"),
    "looked_after": (
        "Looked after",
        "CLA",
        "LAC",
        "In Care",
        "In LA care",
        "Looked after child",
        "Child looked after",
    ),
    "nhs_number": ("NHS Number", "NHS No", "NHS"),
    # Held where the MIS gives them: an LA's EHC request form asks for both. SIMS and
    # Bromcom say "Home Language"/"First Language", Arbor "First language (main)".
    "home_language": (
        "Home Language",
        "First Language",
        "First language (main)",
        "Main Language",
        "Home Language Description",
        "First Language Description",
        "Language at home",
    ),
    "ethnicity": (
        "Ethnicity",
        "Ethnic Group",
        "Ethnic Origin",
        "Ethnicity Description",
        "Ethnic Group Description",
        "Ethnicity Code",
    ),
}

HEADER_ALIASES: dict[str, str] = {
    normalise_header(header): key for key, headers in _ALIAS_TABLE.items() for header in headers
}
"""Normalised header -> field key."""


class MapError(ValidationError, ValueError):
    """A ``--map`` value that cannot be read (a ValidationError the user sees)."""


def _field_key(raw: str) -> str:
    key = raw.strip().casefold().replace("-", "_").replace(" ", "_")
    if key not in FIELDS:
        raise MapError(
            f"--map names an unknown field '{raw.strip()}'; the fields are: {', '.join(FIELDS)}."
        )
    return key


def parse_map(text: str) -> dict[str, str]:
    """Read ``--map "Legal Surname=surname,DOB=dob"`` into ``{header: field}``.

    Headers keep their spelling (they are matched like aliases, ignoring case and
    punctuation); field keys are checked against :data:`FIELDS`. Raises :class:`MapError`
    (a ValueError and a ValidationError) with one clear sentence for a malformed pair, an
    unknown field key, or two headers given for one field.
    """
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        header, sep, key_text = part.partition("=")
        header = header.strip()
        if not sep or not header or not key_text.strip():
            raise MapError(
                f"--map entry '{part.strip()}' is not in the form Header=field "
                '(e.g. --map "Legal Surname=surname,DOB=dob").'
            )
        key = _field_key(key_text)
        if key in seen and normalise_header(seen[key]) != normalise_header(header):
            raise MapError(f"--map gives two columns for {key}: '{seen[key]}' and '{header}'.")
        seen[key] = header
        mapping[header] = key
    return mapping


# --- rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """One record of the export: where it starts, and its values by field key.

    ``line`` is the physical file line (CSV, header = 1) or sheet row (XLSX) the record
    starts on. ``values`` holds a stripped, NFC-normalised string for every field the
    file has a column for ("" when the cell is empty). ``problems`` holds row-shape
    problems found while reading (e.g. more cells than headers).
    """

    line: int
    values: dict[str, str]
    problems: tuple[str, ...] = ()


@dataclass
class SourceTable:
    """What was read from one file: rows, and what became of its headers."""

    path: Path
    kind: str  # "csv" or "xlsx"
    headers: list[str]
    recognised: dict[str, str]  # header as written -> field key
    unrecognised: list[str]
    rows: list[SourceRow]
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""  # how a CSV was read: "UTF-8", "UTF-16" or "Windows-1252"
    legacy_lines: tuple[int, ...] = ()  # lines read as Windows-1252 while detecting

    @property
    def fields(self) -> frozenset[str]:
        """The field keys the file has a column for."""
        return frozenset(self.recognised.values())

    @property
    def line_word(self) -> str:
        """ "line" for a text file, "row" for a spreadsheet (for messages)."""
        return "row" if self.kind == "xlsx" else "line"


def _clean(text: str) -> str:
    text = text.strip()
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


_SHOWN_COLUMNS = 30


def shown_columns(headers: Sequence[str]) -> str:
    """The file's column names for a message: the first 30, then how many more (a file
    can have up to MAX_COLUMNS, too many to read in one sentence)."""
    named = [h.strip() for h in headers if h.strip()]
    if not named:
        return "none"
    more = len(named) - _SHOWN_COLUMNS
    listed = ", ".join(named[:_SHOWN_COLUMNS])
    return f"{listed} and {more:,} more" if more > 0 else listed


def _resolve_headers(
    headers: Sequence[str], mapping: Mapping[str, str] | None
) -> tuple[dict[int, str], dict[str, str], list[str], list[str]]:
    """Column index -> field; header -> field; unrecognised headers; warnings."""
    by_norm = {normalise_header(h): k for h, k in (mapping or {}).items()}
    found_norms = {normalise_header(h) for h in headers if h.strip()}
    missing_mapped = [h for h in (mapping or {}) if normalise_header(h) not in found_norms]
    shown = shown_columns(headers)
    if missing_mapped:
        names = ", ".join(f"'{h}'" for h in missing_mapped)
        raise ValidationError(
            f"--map names a column the file does not have ({names}); the columns are: {shown}."
        )
    columns: dict[int, str] = {}
    recognised: dict[str, str] = {}
    unrecognised: list[str] = []
    warnings: list[str] = []
    taken: dict[str, str] = {}
    # Mapped headers first, so a --map entry wins over an alias for the same field.
    order = sorted(range(len(headers)), key=lambda i: normalise_header(headers[i]) not in by_norm)
    for index in order:
        header = headers[index].strip()
        if not header:
            continue
        norm = normalise_header(header)
        key = by_norm.get(norm) or HEADER_ALIASES.get(norm)
        if key is None:
            unrecognised.append(header)
        elif key in taken:
            warnings.append(
                f"columns '{taken[key]}' and '{header}' both give the {FIELD_LABELS[key]}; "
                f"'{taken[key]}' was used"
            )
            unrecognised.append(header)
        else:
            taken[key] = header
            columns[index] = key
            recognised[header] = key
    position = {h.strip(): i for i, h in reversed(list(enumerate(headers)))}
    unrecognised.sort(key=position.__getitem__)  # file order (a dict: linear, not quadratic)
    missing = [k for k in REQUIRED if k not in taken]
    if missing:
        labels = ", ".join(FIELD_LABELS[k] for k in missing)
        example = f'--map "Your header={missing[0]}"'
        raise ValidationError(
            f"The file has no column for {labels} (the columns are: {shown}); rename the "
            f"column or name it with {example}."
        )
    if ("primary_need" in taken or "secondary_need" in taken) and "sen_status" not in taken:
        raise ValidationError(
            "The file has a type-of-need column but no SEN status column; add the SEN status "
            'column or name it with --map "Your header=sen_status".'
        )
    return columns, recognised, unrecognised, warnings


def _build_rows(
    records: Iterable[tuple[int, Sequence[str]]],
    columns: dict[int, str],
    width: int,
    word: str,
    *,
    check_width: bool,
) -> list[SourceRow]:
    """Rows by field key. With ``check_width`` (CSV), a record longer than the header is
    a problem when a cell past the header is filled, or when it is longer than most
    records (an unquoted comma shifts the cells; a tool that ends every line with a comma
    does not).

    One pass keeps only the cells of recognised columns, so memory grows with the fields
    SENDesk reads rather than with the columns a file has; the shape check needs every
    record's length first, so it is applied after the pass.
    """
    kept: list[tuple[int, dict[str, str], int, bool]] = []
    lengths: Counter[int] = Counter()
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # a blank line or an empty sheet row is not a pupil
        values = {
            key: _clean(cells[index]) if index < len(cells) else ""
            for index, key in columns.items()
        }
        beyond = any(c.strip() for c in cells[width:])
        lengths[len(cells)] += 1
        kept.append((line, values, len(cells), beyond))
    usual = lengths.most_common(1)[0][0] if lengths else width
    rows: list[SourceRow] = []
    for line, values, length, beyond in kept:
        problems: tuple[str, ...] = ()
        if check_width and (length > max(usual, width) or beyond):
            problems = (
                f"the {word} has {length} cells but the header has {width} (is there a "
                "comma in a name that is not inside quotes?)",
            )
        rows.append(SourceRow(line, values, problems))
    return rows


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
    headers = [_clean(h) for h in cells]
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
        return headers, _resolve_headers(headers, mapping)

    with closing(records.rows):
        (headers, resolved), rest = split_header(
            records, HEADER_SEARCH_ROWS if xlsx else 1, resolve, empty
        )
        columns, recognised, unrecognised, header_warnings = resolved
        rows = _build_rows(rest, columns, len(headers), records.word, check_width=not xlsx)
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


# --- cell values -----------------------------------------------------------------------

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time after the date is ignored
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})" + _TIME)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)


def parse_date(text: str) -> date | None:
    """Read a date written day first: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or
    yyyy-mm-dd (a trailing time, as Excel and some MIS add, is ignored). Blank -> None.

    Never month first: "12/31/2013" is the 12th of a 31st month, so it does not exist.
    Raises ValueError("31/02/2013 does not exist") and the like.
    """
    text = text.strip()
    if not text:
        return None
    if m := _DMY.fullmatch(text):
        day, month, year_text = m.groups()
        if len(year_text) == 2:
            raise ValueError(f"{text} has a two-digit year (write it as dd/mm/yyyy)")
        year = int(year_text)
    elif m := _YMD.fullmatch(text):
        year_s, month, day = m.groups()
        year = int(year_s)
    else:
        raise ValueError(f"'{text}' is not a date in the form dd/mm/yyyy")
    shown = text.split()[0].split("T")[0]
    try:
        return date(year, int(month), int(day))
    except ValueError:
        hint = ""
        if m.re is _DMY and int(month) > 12 >= int(day):
            hint = " (dates are read day first, dd/mm/yyyy)"
        raise ValueError(f"{shown} does not exist{hint}") from None


_YEAR_WORDS = {"r": 0, "rec": 0, "reception": 0, "n1": -2, "n2": -1}
_YEAR = re.compile(r"(?:year|yr|y|ncy|nc)?(-?\d{1,2}|r|rec|reception|n1|n2)")


def parse_year(text: str) -> int | None:
    """Read a year group: "7", "Year 7", "Y7", "R"/"Reception" -> 0, "N1" -> -2, "N2" -> -1.

    Blank -> None. Raises ValueError for anything else. The range is checked by the caller.
    """
    raw = text.strip()
    if not raw:
        return None
    if m := _YEAR.fullmatch("".join(raw.casefold().split())):
        value = m.group(1)
        return _YEAR_WORDS[value] if value in _YEAR_WORDS else int(value)
    raise ValueError(f"'{raw}' is not a year group (e.g. 7, Year 7, Y7, R, N1)")


_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"n", "no", "false", "f", "0", ""}


def parse_bool(text: str) -> bool:
    """Y/N, Yes/No, True/False, 1/0 (any case); blank is No. Else ValueError."""
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"'{text.strip()}' is not yes or no (Y/N)")


_GENDERS = {"m": "M", "male": "M", "boy": "M", "f": "F", "female": "F", "girl": "F"}


def parse_gender(text: str) -> str | None:
    """M/F (or Male/Female); blank -> None. Other values raise ValueError."""
    folded = text.strip().casefold()
    if not folded:
        return None
    if folded in _GENDERS:
        return _GENDERS[folded]
    raise ValueError(f"'{text.strip()}' is not M or F")


_NEED_DESCRIPTIONS = {normalise_header(nc.description): nc.code for nc in NEED_CODES.values()}

_PROVISION_WORDS = {
    "sensupport": "K",
    "support": "K",
    "ehcplan": "E",
    "ehcp": "E",
    "ehc": "E",
    "educationhealthandcareplan": "E",
    "statement": "S",
    "statementofsen": "S",
    "schoolaction": "A",
    "schoolactionplus": "P",
    "nospecialeducationalneed": "N",
    "nospecialeducationalneeds": "N",
    "nosen": "N",
    "none": "N",
}


def code_text(text: str) -> str:
    """The code part of an MIS code cell: "K - SEN Support" -> "K", "SPLD: Specific..." ->
    "SPLD"; a bare code is returned stripped."""
    text = text.strip()
    for sep in (" - ", " – ", ": ", " ("):
        if sep in text:
            return text.split(sep, 1)[0].strip()
    return text


def provision_text(text: str) -> str:
    """An SEN status cell as a code for :func:`rules.census.normalise_provision`.

    Blank means no SEN ("N"); descriptions some MIS export ("SEN Support", "EHC Plan",
    "Statement") become their codes; anything else is passed on for the census rules to
    judge.
    """
    code = code_text(text)
    if not code:
        return "N"
    return _PROVISION_WORDS.get(normalise_header(code), code)


def need_text(text: str) -> str:
    """A type-of-need cell as a code: "SPLD - Specific learning difficulty" -> "SPLD";
    a DfE description on its own ("Specific learning difficulty") -> its code."""
    code = code_text(text)
    return _NEED_DESCRIPTIONS.get(normalise_header(code), code)
