"""Reading MIS exports: headers, encodings, line numbers, XLSX, and the cell parsers."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendesk.errors import ValidationError
from sendesk.services.register import mis_columns, mis_reading, mis_values

DATA = Path(__file__).resolve().parents[1] / "data"


def write_csv(path: Path, header: list[str], rows: list[list[str]], **kw: str) -> Path:
    with path.open("w", encoding=kw.get("encoding", "utf-8"), newline="") as fh:
        writer = csv.writer(fh, lineterminator=kw.get("end", "\r\n"))
        writer.writerow(header)
        writer.writerows(rows)
    return path


BASIC = ["UPN", "Surname", "Forename", "DOB"]
ROW = ["H801200001001", "Smith", "Ann", "01/02/2013"]


# --- fields, headers and --map ------------------------------------------------------------


def test_fields_are_the_public_keys() -> None:
    """Every field key in the table is one a person can give to ``--map`` (whatever its case,
    or with a space or hyphen for the underscore), has a label for the import report, and
    every alias and required field is one of them. The names themselves are pinned by the
    header tests below and the ``--map`` tests, not by a second copy of the table."""
    typed = ",".join(
        f"Column {i}={key.upper().replace('_', ' ' if i % 2 else '-')}"
        for i, key in enumerate(mis_columns.FIELDS)
    )
    assert list(mis_columns.parse_map(typed).values()) == list(mis_columns.FIELDS)
    assert set(mis_columns.FIELD_LABELS) == set(mis_columns.FIELDS)
    assert set(mis_columns.HEADER_ALIASES.values()) <= set(mis_columns.FIELDS)
    assert set(mis_columns.REQUIRED) <= set(mis_columns.FIELDS)
    assert len(set(mis_columns.FIELDS)) == len(mis_columns.FIELDS)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("UPN", "upn"),
        ("Student UPN", "upn"),
        ("Legal Surname", "surname"),
        ("Last name", "surname"),
        ("Legal Last Name", "surname"),
        ("Surname", "surname"),
        ("Forename", "forename"),
        ("Legal Forename", "forename"),
        ("First name", "forename"),
        ("Legal First Name", "forename"),
        ("Preferred Forename", "preferred_forename"),
        ("Preferred first name", "preferred_forename"),
        ("Preferred Surname", "preferred_surname"),
        ("DOB", "dob"),
        ("D.O.B.", "dob"),
        ("Date of birth", "dob"),
        ("Date Of Birth", "dob"),
        ("Gender", "gender"),
        ("Sex", "gender"),
        ("Year", "year"),
        ("Year group", "year"),
        ("NC Year", "year"),
        ("Reg", "reg_group"),
        ("Reg Group", "reg_group"),
        ("Registration form", "reg_group"),
        ("Tutor Group", "reg_group"),
        ("Form", "reg_group"),
        ("Admission Date", "admission_date"),
        ("Date of admission", "admission_date"),
        ("Start Date", "admission_date"),
        ("Leaving Date", "leaving_date"),
        ("SEN Status", "sen_status"),
        ("SEN status", "sen_status"),
        ("SEN Provision", "sen_status"),
        ("Primary Need", "primary_need"),
        ("Primary SEN need", "primary_need"),
        ("SEN Primary Need", "primary_need"),
        ("Secondary Need", "secondary_need"),
        ("Secondary SEN need", "secondary_need"),
        ("SEN Start Date", "sen_start_date"),
        ("EAL", "eal"),
        ("Pupil premium", "pupil_premium"),
        ("PP", "pupil_premium"),
        ("Looked after", "looked_after"),
        ("CLA", "looked_after"),
        ("LAC", "looked_after"),
        ("In Care", "looked_after"),
        ("NHS Number", "nhs_number"),
        ("Home Language", "home_language"),
        ("First Language", "home_language"),
        ("First language (main)", "home_language"),
        ("Ethnicity", "ethnicity"),
        ("Ethnic Group", "ethnicity"),
        ("Ethnic Origin", "ethnicity"),
        (" student_upn ", "upn"),
        ("LEGAL-SURNAME", "surname"),
    ],
)
def test_usual_mis_headers_are_recognised(header: str, key: str) -> None:
    assert mis_columns.HEADER_ALIASES[mis_columns.normalise_header(header)] == key


def test_fsm_is_not_pupil_premium() -> None:
    assert mis_columns.normalise_header("FSM") not in mis_columns.HEADER_ALIASES
    assert mis_columns.normalise_header("FSM Eligible") not in mis_columns.HEADER_ALIASES


def test_parse_map() -> None:
    assert mis_columns.parse_map("Legal Surname=surname, DOB = dob,") == {
        "Legal Surname": "surname",
        "DOB": "dob",
    }
    assert mis_columns.parse_map("Kid ID=UPN,Birthday=DOB") == {"Kid ID": "upn", "Birthday": "dob"}
    assert mis_columns.parse_map("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Legal Surname", "'Legal Surname' is not in the form Header=field"),
        ("=dob", "'=dob' is not in the form Header=field"),
        ("Birthday=", "'Birthday=' is not in the form Header=field"),
        ("Birthday=bday", "unknown field 'bday'; the fields are: upn, surname"),
        ("A=dob,B=dob", "two columns for dob: 'A' and 'B'"),
    ],
)
def test_parse_map_refuses_with_a_clear_sentence(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^--map") as caught:
        mis_columns.parse_map(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValidationError)


# --- CSV ------------------------------------------------------------------------------------


def test_arbor_sample_bom_crlf_quotes_and_scripts() -> None:
    table = mis_reading.read_file(DATA / "arbor-export-sample.csv")
    assert table.kind == "csv"
    assert table.headers[0] == "Student UPN"  # the BOM is not part of the first header
    assert table.recognised["Student UPN"] == "upn"
    assert table.unrecognised == []
    assert table.warnings == []
    assert len(table.rows) == 120
    assert [r.line for r in table.rows] == list(range(2, 122))
    by_line = {r.line: r.values for r in table.rows}
    assert by_line[18]["surname"] == "Brown, Jr"
    assert by_line[4]["surname"] == "Ó Súilleabháin"
    assert by_line[19]["surname"] == "Nguyễn"
    assert by_line[7]["surname"] == "Шевченко"
    assert by_line[42]["dob"] == "31/02/2013"
    assert by_line[27]["dob"] == ""
    assert not any("\r" in v or "\n" in v for r in table.rows for v in r.values.values())


def test_quoted_newlines_keep_physical_line_numbers() -> None:
    table = mis_reading.read_file(DATA / "quoted-newline.csv")
    assert [r.line for r in table.rows] == [2, 3, 5, 8, 9]
    assert table.rows[1].values["surname"] == "Fitz\r\nGerald"
    assert table.rows[4].values["surname"] == "O'Neill, Snr"
    assert table.rows[4].values["forename"] == "Róisín"
    assert table.unrecognised == ["Address"]


def test_windows_1252_is_read_and_said() -> None:
    table = mis_reading.read_file(DATA / "cp1252-export.csv")
    assert [r.values["surname"] for r in table.rows] == ["Müller", "O’Neill", "Françoise"]
    assert [r.values["forename"] for r in table.rows] == ["Zoë", "Siobhán", "Chloë"]
    assert len(table.warnings) == 1
    assert "not UTF-8" in table.warnings[0]
    assert "Windows-1252" in table.warnings[0]


def test_utf16_tab_separated_from_excel_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    text = "\t".join(BASIC) + "\r\n" + "\t".join(["H801200001001", "Ωρίων", "Ёлка", "01/02/2013"])
    path.write_bytes(text.encode("utf-16"))
    table = mis_reading.read_file(path)
    assert table.rows[0].values == {
        "upn": "H801200001001",
        "surname": "Ωρίων",
        "forename": "Ёлка",
        "dob": "01/02/2013",
    }
    assert table.warnings == []


def test_semicolon_separated(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(";".join(BASIC) + "\n" + ";".join(ROW) + "\n", encoding="utf-8")
    assert mis_reading.read_file(path).rows[0].values["surname"] == "Smith"


def test_values_are_stripped_and_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Łucja")
    path = write_csv(tmp_path / "e.csv", BASIC, [["  H801200001001 ", decomposed, " Ann ", ROW[3]]])
    values = mis_reading.read_file(path).rows[0].values
    assert values["surname"] == "Zoë Łucja"
    assert values["upn"] == "H801200001001"
    assert values["forename"] == "Ann"


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        ",".join(BASIC) + "\n\n" + ",".join(ROW) + "\n,,,\n" + ",".join(ROW) + "\n",
        encoding="utf-8",
    )
    assert [r.line for r in mis_reading.read_file(path).rows] == [3, 5]


def test_short_rows_are_padded_and_long_rows_flagged(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        ",".join(BASIC)
        + "\nH801200001001,Smith\nH801200001001,Brown, Jr,Ann,01/02/2013\n"
        + ",".join(ROW)
        + "\n",
        encoding="utf-8",
    )
    rows = mis_reading.read_file(path).rows
    assert rows[0].values == {"upn": "H801200001001", "surname": "Smith", "forename": "", "dob": ""}
    assert rows[0].problems == ()
    assert rows[1].line == 3
    assert rows[1].problems == (
        "the line has 5 cells but the header has 4 (is there a comma in a name that is not "
        "inside quotes?)",
    )
    assert rows[2].problems == ()


def test_a_trailing_comma_on_every_line_is_not_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(",".join(BASIC) + "\n" + (",".join(ROW) + ",\n") * 3, encoding="utf-8")
    assert all(r.problems == () for r in mis_reading.read_file(path).rows)


def test_mapping_renames_and_overrides_aliases(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        ["Pupil ID", "Family", "Given", "Born", "Start Date", "House"],
        [["H801200001001", "Smith", "Ann", "01/02/2013", "03/09/2024", "Red"]],
    )
    with pytest.raises(ValidationError, match="no column for UPN, legal surname"):
        mis_reading.read_file(path)
    mapping = mis_columns.parse_map(
        "Pupil ID=upn,Family=surname,Given=forename,born=dob,Start Date=sen_start_date"
    )
    table = mis_reading.read_file(path, mapping)
    assert table.recognised == {
        "Pupil ID": "upn",
        "Family": "surname",
        "Given": "forename",
        "Born": "dob",
        "Start Date": "sen_start_date",
    }
    assert table.unrecognised == ["House"]
    assert table.rows[0].values["sen_start_date"] == "03/09/2024"


def test_map_naming_a_missing_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", BASIC, [ROW])
    with pytest.raises(ValidationError, match=r"--map names a column the file does not have"):
        mis_reading.read_file(path, {"Legal Surname": "surname"})


def test_two_columns_for_one_field_first_wins(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", [*BASIC, "Reg", "Form"], [[*ROW, "7A", "7 Tutor"]])
    table = mis_reading.read_file(path)
    assert table.rows[0].values["reg_group"] == "7A"
    assert table.unrecognised == ["Form"]
    assert table.warnings == [
        "columns 'Reg' and 'Form' both give the registration group; 'Reg' was used"
    ]


def test_missing_required_columns_named_with_headers_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ["UPN", "Surname", "Forename", "Gender"], [ROW])
    with pytest.raises(ValidationError) as caught:
        mis_reading.read_file(path)
    message = str(caught.value)
    assert message.startswith("The file has no column for date of birth")
    assert "(the columns are: UPN, Surname, Forename, Gender)" in message
    assert '--map "Your header=dob"' in message


def test_needs_without_a_status_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", [*BASIC, "Primary Need"], [[*ROW, "SPLD"]])
    with pytest.raises(ValidationError, match="type-of-need column but no SEN status column"):
        mis_reading.read_file(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("e.xls", b"x", r"old Excel \(.xls\) file; save it as .xlsx or CSV"),
        ("e.ods", b"x", "is not a CSV or XLSX file"),
        ("e.csv", b"", "is empty: there is no header row"),
        ("e.csv", b"UPN,Surname,Forename,DOB\r\n", "has a header row but no pupils"),
        ("e.csv", b"UPN,Surname\x00", "contains NUL bytes"),
        ("e.csv", b"UPN,Surname,Forename,DOB\r\nH1,\x81\x8d,A,1/1/2013\r\n", "not UTF-8 or"),
        ("e.xlsx", b"not a zip", "could not be read as an Excel workbook"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        mis_reading.read_file(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        mis_reading.read_file(tmp_path / "nope.csv")
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(ValidationError, match="is a folder"):
        mis_reading.read_file(folder)


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_first_sheet_header_after_blank_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([])
    sheet.append([])
    sheet.append(["UPN", "Legal Last Name", "Legal First Name", "Date Of Birth", "NC Year", "PP"])
    sheet.append(["H801200001001", "Łukasiewicz", "Ωρίων", datetime(2013, 2, 28), 7, True])
    sheet.append([])
    sheet.append(["B801200005001", "Trần", "Thị", "31/02/2013", 8.0, "N"])
    other = book.create_sheet("Other")
    other.append(["ignored"])
    path = tmp_path / "bromcom.xlsx"
    book.save(path)
    table = mis_reading.read_file(path)
    assert table.kind == "xlsx"
    assert table.line_word == "row"
    assert [r.line for r in table.rows] == [4, 6]
    first, second = (r.values for r in table.rows)
    assert first == {
        "upn": "H801200001001",
        "surname": "Łukasiewicz",
        "forename": "Ωρίων",
        "dob": "2013-02-28",
        "year": "7",
        "pupil_premium": "Y",
    }
    assert second["dob"] == "31/02/2013"
    assert second["year"] == "8"


def test_cell_text() -> None:
    assert mis_reading.cell_text(None) == ""
    assert mis_reading.cell_text(datetime(2013, 2, 1)) == "2013-02-01"
    assert mis_reading.cell_text(date(2013, 2, 1)) == "2013-02-01"
    assert mis_reading.cell_text(12.0) == "12"
    assert mis_reading.cell_text(9434765919) == "9434765919"
    assert mis_reading.cell_text(False) == "N"


# --- cell parsers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/02/2013", date(2013, 2, 1)),
        ("1/2/2013", date(2013, 2, 1)),
        ("01-02-2013", date(2013, 2, 1)),
        ("01.02.2013", date(2013, 2, 1)),
        ("2013-02-01", date(2013, 2, 1)),
        ("01/02/2013 00:00:00", date(2013, 2, 1)),
        ("2013-02-01 00:00:00", date(2013, 2, 1)),
        ("29/02/2012", date(2012, 2, 29)),
        ("  ", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert mis_values.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2013", "31/02/2013 does not exist"),
        ("29/02/2013", "29/02/2013 does not exist"),
        ("12/31/2013", "12/31/2013 does not exist (dates are read day first, dd/mm/yyyy)"),
        ("2013-02-30", "2013-02-30 does not exist"),
        ("00/01/2013", "00/01/2013 does not exist"),
        ("01/02/13", "01/02/13 has a two-digit year (write it as dd/mm/yyyy)"),
        ("next Tuesday", "'next Tuesday' is not a date in the form dd/mm/yyyy"),
        ("2013/02/01", "'2013/02/01' is not a date in the form dd/mm/yyyy"),
    ],
)
def test_parse_date_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        mis_values.parse_date(text)
    assert str(caught.value) == message


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_any_date_round_trips_day_first(value: date) -> None:
    assert mis_values.parse_date(value.strftime("%d/%m/%Y")) == value
    assert mis_values.parse_date(f"{value.day}/{value.month}/{value.year}") == value
    assert mis_values.parse_date(value.strftime("%d-%m-%Y")) == value
    assert mis_values.parse_date(value.isoformat()) == value


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 31))
def test_a_day_that_does_not_exist_is_never_shifted(year: int, month: int, day: int) -> None:
    text = f"{day:02d}/{month:02d}/{year}"
    try:
        expected = date(year, month, day)
    except ValueError:
        with pytest.raises(ValueError, match="does not exist"):
            mis_values.parse_date(text)
    else:
        assert mis_values.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("7", 7),
        ("Year 7", 7),
        ("year  7", 7),
        ("Y7", 7),
        ("Yr 11", 11),
        ("NC 10", 10),
        ("R", 0),
        ("Reception", 0),
        ("Rec", 0),
        ("N1", -2),
        ("N2", -1),
        ("0", 0),
        ("", None),
    ],
)
def test_parse_year(text: str, year: int | None) -> None:
    assert mis_values.parse_year(text) == year


def test_parse_year_refuses() -> None:
    with pytest.raises(ValueError, match=r"'Year Seven' is not a year group \(e.g. 7"):
        mis_values.parse_year("Year Seven")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Y", True),
        ("yes", True),
        ("True", True),
        ("1", True),
        ("N", False),
        ("No", False),
        ("FALSE", False),
        ("0", False),
        ("", False),
    ],
)
def test_parse_bool(text: str, value: bool) -> None:
    assert mis_values.parse_bool(text) is value


def test_parse_bool_refuses() -> None:
    with pytest.raises(ValueError, match=r"'maybe' is not yes or no \(Y/N\)"):
        mis_values.parse_bool("maybe")


def test_parse_gender() -> None:
    assert [mis_values.parse_gender(t) for t in ("M", "f", "Male", "Female", "")] == [
        "M",
        "F",
        "M",
        "F",
        None,
    ]
    with pytest.raises(ValueError, match="'Q' is not M or F"):
        mis_values.parse_gender("Q")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("K", "K"),
        (" e ", "e"),
        ("", "N"),
        ("K - SEN Support", "K"),
        ("SEN Support", "K"),
        ("EHC Plan", "E"),
        ("Education, Health and Care Plan", "E"),
        ("Statement", "S"),
        ("School Action Plus", "P"),
        ("No Special Educational Need", "N"),
        ("Q", "Q"),
    ],
)
def test_provision_text(text: str, code: str) -> None:
    assert mis_values.provision_text(text) == code


def test_need_text() -> None:
    assert mis_values.need_text("SPLD") == "SPLD"
    assert mis_values.need_text("SPLD - Specific Learning Difficulty") == "SPLD"
    assert mis_values.need_text("Autistic Spectrum Disorder") == "ASD"
    assert mis_values.need_text("XYZ") == "XYZ"


# --- property: anything a CSV writer writes, we read back on the right line -----------------

NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
NAMES = st.text(alphabet=st.one_of(NAME_CHARS, st.sampled_from(list(",'\"\n ŁÓЁΩễ"))), max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=8), st.booleans())
def test_csv_round_trip_any_script_and_line_numbers(
    names: list[tuple[str, str]], bom: bool
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BASIC)
    expected_lines = []
    for surname, forename in names:
        expected_lines.append(out.getvalue().count("\n") + 1)
        writer.writerow(["H801200001001", surname, forename, "01/02/2013"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.csv"
        path.write_bytes(out.getvalue().encode("utf-8-sig" if bom else "utf-8"))
        table = mis_reading.read_file(path)
    assert [r.line for r in table.rows] == expected_lines
    for row, (surname, forename) in zip(table.rows, names, strict=True):
        assert row.values["surname"] == unicodedata.normalize("NFC", surname.strip())
        assert row.values["forename"] == unicodedata.normalize("NFC", forename.strip())
