"""Reading pupil exports from a school's MIS (SIMS, Arbor, Bromcom) into plain rows.

Why this module exists: every MIS names the same columns differently and every school's
export has its own quirks (a byte-order mark, CRLF line ends, Windows-1252 from an old
Excel, dates as text or as Excel dates, names with commas in quotes). This module turns a
CSV or XLSX file into :class:`SourceRow` objects keyed by SENDesk's own field names, with
the *physical file line* (or sheet row) each record starts on, so an import report can
point the person fixing the export at the right place. It is Qt-free and DB-free; the
importer (:mod:`sendesk.services.pupil_import`) decides what the values mean for a pupil.

CSV: UTF-8 (a BOM is fine), UTF-16 (Excel "Unicode text"), or Windows-1252 as a
fallback that the warnings mention; comma, semicolon or tab separated; the header is the
first non-blank line. XLSX: the first sheet; the header is the first non-empty row (or
one of the next few, when a report puts a title above it).

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

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


def _resolve_headers(
    headers: Sequence[str], mapping: Mapping[str, str] | None
) -> tuple[dict[int, str], dict[str, str], list[str], list[str]]:
    """Column index -> field; header -> field; unrecognised headers; warnings."""
    by_norm = {normalise_header(h): k for h, k in (mapping or {}).items()}
    found_norms = {normalise_header(h) for h in headers if h.strip()}
    missing_mapped = [h for h in (mapping or {}) if normalise_header(h) not in found_norms]
    shown = ", ".join(h for h in headers if h.strip()) or "none"
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
    unrecognised.sort(key=lambda h: [x.strip() for x in headers].index(h))
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
    records: Sequence[tuple[int, Sequence[str]]],
    columns: dict[int, str],
    width: int,
    word: str,
    *,
    check_width: bool,
) -> list[SourceRow]:
    """Rows by field key. With ``check_width`` (CSV), a record longer than the header is
    a problem when a cell past the header is filled, or when it is longer than most
    records (an unquoted comma shifts the cells; a tool that ends every line with a comma
    does not)."""
    lengths = Counter(len(cells) for _, cells in records if any(c.strip() for c in cells))
    usual = lengths.most_common(1)[0][0] if lengths else width
    rows: list[SourceRow] = []
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # a blank line or an empty sheet row is not a pupil
        values = {key: "" for key in columns.values()}
        for index, key in columns.items():
            if index < len(cells):
                values[key] = _clean(cells[index])
        problems: tuple[str, ...] = ()
        too_long = len(cells) > max(usual, width) or any(c.strip() for c in cells[width:])
        if check_width and too_long:
            problems = (
                f"the {word} has {len(cells)} cells but the header has {width} (is there a "
                "comma in a name that is not inside quotes?)",
            )
        rows.append(SourceRow(line, values, problems))
    return rows


# --- CSV -------------------------------------------------------------------------------


def _decode(data: bytes, path: Path) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise ValidationError(f"{path.name} is not readable UTF-16 text.") from None
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValidationError(
            f"{path.name} is not UTF-8 or Windows-1252 text (byte {utf8_error.start + 1} "
            "cannot be read); save the export as CSV UTF-8 and try again."
        ) from None
    return text, [
        "the file is not UTF-8, so it was read as Windows-1252 (Western European); check "
        "that accented names look right, or save the export as CSV UTF-8"
    ]


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(text: str, delimiter: str, path: Path) -> list[tuple[int, list[str]]]:
    """Records with the physical line each starts on (quoted newlines span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValidationError(
                f"{path.name} line {reader.line_num} cannot be read as CSV ({exc})."
            ) from None
        records.append((start, cells))
    return records


def _read_csv(path: Path, mapping: Mapping[str, str] | None) -> SourceTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path} could not be read ({exc.strerror or exc}).") from None
    text, warnings = _decode(data, path)
    if "\x00" in text:
        raise ValidationError(f"{path.name} is not a text file (it contains NUL bytes).")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    records = _csv_records(text, _sniff_delimiter(first), path)
    while records and not any(c.strip() for c in records[0][1]):
        records.pop(0)
    if not records:
        raise ValidationError(f"{path.name} is empty: there is no header row.")
    headers = [_clean(h) for h in records[0][1]]
    columns, recognised, unrecognised, header_warnings = _resolve_headers(headers, mapping)
    rows = _build_rows(records[1:], columns, len(headers), "line", check_width=True)
    return SourceTable(
        path, "csv", headers, recognised, unrecognised, rows, warnings + header_warnings
    )


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


def _read_xlsx(path: Path, mapping: Mapping[str, str] | None) -> SourceTable:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ValidationError(f"{path} does not exist.") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ValidationError(f"{path.name} could not be read as an Excel workbook.") from None
    try:
        if not book.worksheets:
            raise ValidationError(f"{path.name} has no sheets.")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read every cell
        records: list[tuple[int, list[str]]] = [
            (number, [cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    while records and not any(c.strip() for c in records[0][1]):
        records.pop(0)
    if not records:
        raise ValidationError(f"The first sheet of {path.name} is empty: there is no header row.")
    # The header is the first non-empty row; a report may put a title or two above it, so
    # the first few non-empty rows are tried before the first one's problem is reported.
    candidates = [i for i, (_, cells) in enumerate(records) if any(c.strip() for c in cells)]
    first_error: ValidationError | None = None
    for index in candidates[:HEADER_SEARCH_ROWS]:
        headers = [_clean(h) for h in records[index][1]]
        while headers and not headers[-1]:
            headers.pop()
        try:
            columns, recognised, unrecognised, warnings = _resolve_headers(headers, mapping)
        except ValidationError as exc:
            first_error = first_error or exc
            continue
        rows = _build_rows(records[index + 1 :], columns, len(headers), "row", check_width=False)
        return SourceTable(path, "xlsx", headers, recognised, unrecognised, rows, warnings)
    assert first_error is not None
    raise first_error


def read_file(path: Path | str, mapping: Mapping[str, str] | None = None) -> SourceTable:
    """Read a CSV or XLSX pupil export; ``mapping`` is ``{header: field}`` (see parse_map).

    Raises ValidationError (one sentence) for a file that cannot be read, an unknown
    extension, a --map header the file lacks, or missing required columns.
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
    table = _read_xlsx(path, mapping) if kind == "xlsx" else _read_csv(path, mapping)
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
