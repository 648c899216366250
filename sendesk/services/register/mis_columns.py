"""The columns of a school's MIS export: SENDesk's own field names, the headers SIMS,
Arbor and Bromcom (and hand-made files) use for them, a person's own column map, and the
rows keyed by field name with the physical line each came from.

Why: every MIS names the same columns differently, so headers are matched after folding
case and punctuation, and an import report can point at the line to fix. Qt-free and
DB-free; the importer (:mod:`sendesk.services.register.pupil_import`) decides what the
values mean for a pupil.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sendesk.errors import ValidationError

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


def clean_cell(text: str) -> str:
    """A cell's text stripped and in NFC, so a name typed with combining accents matches
    the same name typed precomposed."""
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


def resolve_headers(
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


def build_rows(
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
            key: clean_cell(cells[index]) if index < len(cells) else ""
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
