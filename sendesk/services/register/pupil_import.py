"""Importing the school's MIS pupil export: validate every row, then write all or nothing.

The import is the way most pupils enter SENDesk and the way their details stay current,
so it has to be safe to run again and again: the same file twice changes nothing; a later
export updates pupils by UPN, and a changed SEN status or need becomes dated register
history through :func:`sendesk.services.register.register.apply_change` (never an overwrite).
Every row is checked before anything is written; by default one bad row means nothing
is written, and the report gives the file line and a plain reason for each bad row.

Only the columns a file has are compared: an export without NHS numbers leaves the NHS
numbers SENDesk holds alone, and one without an SEN status column leaves the register
alone. Pupils in SENDesk but not in the file are left as they are (the report counts
them). Nothing here logs pupils' names; audit events list field names, not values.

Audit trail of an import: an "update" event per changed pupil (the changed field names),
a "register_change" event per status/need change and per new pupil's first entry (from
no status), and one "import" event with the counts and the new pupils' ids. Importing an
unchanged file writes no event at all.

Performance: existing pupils and current statuses are loaded in three queries, new
pupils go in with one bulk INSERT, and nothing is queried per row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sendesk.db import Database
from sendesk.errors import ConflictError
from sendesk.models import EhcPlan, Pupil
from sendesk.rules.census import census_problems, normalise_need, normalise_provision
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.register import mis_columns, mis_reading, mis_values
from sendesk.services.register.mis_columns import FIELD_LABELS, SourceRow, SourceTable
from sendesk.services.register.pupils import (
    PUPIL_ATTRS,
    PupilData,
    open_first_entry,
    validate_pupil,
)
from sendesk.services.register.register import CurrentStatus, apply_change, lock_current
from sendesk.services.store.audit import AuditWriter

log = logging.getLogger(__name__)

SOURCE = "MIS import"
"""The reason recorded on register entries and audit events written by an import."""

Progress = Callable[[int, int], bool]
"""``progress(done, total)``; return False to cancel (nothing is then written)."""

# PupilData attribute -> the import field key a problem is reported against.
ATTR_FIELD: dict[str, str] = {
    "upn": "upn",
    "legal_surname": "surname",
    "legal_forename": "forename",
    "preferred_surname": "preferred_surname",
    "preferred_forename": "preferred_forename",
    "dob": "dob",
    "gender": "gender",
    "year_group": "year",
    "reg_group": "reg_group",
    "admission_date": "admission_date",
    "leaving_date": "leaving_date",
    "eal": "eal",
    "pupil_premium": "pupil_premium",
    "looked_after": "looked_after",
    "nhs_number": "nhs_number",
    "provision": "sen_status",
    "needs": "primary_need",
    "sen_start_date": "sen_start_date",
    "home_language": "home_language",
    "ethnicity": "ethnicity",
}
_FIELD_ATTR = {f: a for a, f in ATTR_FIELD.items()} | {"secondary_need": "needs"}
_PLACEHOLDER_DOB = date(1900, 1, 1)  # stands in for a missing dob while other fields are checked


@dataclass(frozen=True)
class ImportRow:
    """A valid row of the export: its line, the pupil's data, and which attributes of
    :class:`PupilData` the file supplied (only those are compared with SENDesk's)."""

    line: int
    data: PupilData
    supplied: frozenset[str]


@dataclass
class ImportReport(mis_reading.FileImportReport):
    """What an import found and did; :meth:`lines` is the plain-text report.

    ``problems`` and ``warnings`` are ``(line, field, text)`` with ``field`` one of
    :data:`mis_columns.FIELDS` ("" for the row as a whole) and line 0 for the file as a
    whole. ``updated`` counts pupils with any change, ``register_changes`` those of them
    whose SEN status or needs changed (new pupils' first entries are not counted there).
    """

    valid_rows: int = 0
    register_changes: int = 0
    skipped: int = 0
    not_in_file: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def problem_lines(self) -> list[int]:
        """The lines (rows) with at least one problem, in file order."""
        return sorted({line for line, _, _ in self.problems})

    def lines(self) -> list[str]:
        word = self.line_word
        out = [f"Pupil import from {self.file_name}: {_count(self.rows_read, 'pupil')} read."]
        out += self._column_lines(FIELD_LABELS)
        bad = self.problem_lines
        if self.problems:
            out += ["", f"{_count(len(bad), word)} with problems:"]
            out += [f"  {self._where(line)}{text}" for line, _, text in _in_order(self.problems)]
        if self.warnings:
            out += ["", "Notes:"]
            out += [
                f"  {self._where(line)}{text if line else text[:1].upper() + text[1:]}"
                for line, _, text in _in_order(self.warnings)
            ]
        out.append("")
        if self.cancelled:
            out.append("The import was cancelled: nothing was written.")
        elif not self.written:
            if self.problems and self.valid_rows:
                out.append(
                    "Nothing was written: an import is all or nothing. Fix the "
                    f"{_plural(len(bad), word)} above and import again, or skip the "
                    f"{_plural(len(bad), word)} with problems (--skip-invalid) to import the "
                    f"other {_count(self.valid_rows, 'pupil')}."
                )
            elif self.problems:
                out.append("Nothing was written: no pupil in the file can be imported.")
            else:
                out.append(
                    f"Ready to import {_count(self.valid_rows, 'pupil')}: nothing is written yet."
                )
        else:
            out.append(
                f"Imported: {self.created} new, {self.updated} updated "
                f"({self.register_changes} with a change of SEN status or need), "
                f"{self.unchanged} unchanged."
            )
            if self.skipped:
                out.append(
                    f"Skipped {_count(self.skipped, word)} with problems (listed above): "
                    "nothing from them was written."
                )
            if self.not_in_file == 1:
                out.append("1 pupil in SENDesk is not in this file and was left as it is.")
            elif self.not_in_file:
                out.append(
                    f"{self.not_in_file:,} pupils in SENDesk are not in this file and were left "
                    "as they are."
                )
        return out

    def format(self) -> str:
        """The report as printed by ``sendesk import-pupils``."""
        return "\n".join(self.lines()) + "\n"


def _in_order(items: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """By line; within a line, in the order the checks found them."""
    return sorted(items, key=lambda item: item[0])


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _count(n: int, word: str) -> str:
    return f"{n:,} {_plural(n, word)}"


# --- reading and checking rows ----------------------------------------------------------


@dataclass
class _RowCheck:
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def problem(self, key: str, text: str) -> None:
        self.problems.append((key, text))


def _optional_date(row: SourceRow, key: str, check: _RowCheck) -> date | None:
    try:
        return mis_values.parse_date(row.values.get(key, ""))
    except ValueError as exc:
        check.problem(key, f"{FIELD_LABELS[key]} {exc}")
        return None


def _parse_register(
    row: SourceRow, table: SourceTable, check: _RowCheck
) -> tuple[str, tuple[str, ...], bool]:
    """Provision, needs, and whether both could be read (else census checks are skipped)."""
    if "sen_status" not in table.fields:
        return "N", (), True
    ok = True
    raw = row.values["sen_status"]
    try:
        provision, note = normalise_provision(mis_values.provision_text(raw))
        if note:
            check.warnings.append(("sen_status", f"SEN status: {note}"))
    except ValueError:
        check.problem("sen_status", f"SEN status '{raw}' is not a census code (expected N, K or E)")
        provision, ok = "N", False
    needs: list[str] = []
    for key in ("primary_need", "secondary_need"):
        raw = row.values.get(key, "")
        if not raw:
            continue
        try:
            code, note = normalise_need(mis_values.need_text(raw))
        except ValueError:
            check.problem(key, f"{FIELD_LABELS[key]} '{raw}' is not a census type-of-need code")
            ok = False
            continue
        if note:
            check.warnings.append((key, f"{FIELD_LABELS[key]}: {note}"))
        needs.append(code)
    if row.values.get("secondary_need") and not row.values.get("primary_need"):
        check.problem("secondary_need", "a secondary need is given without a primary need")
        ok = False
    return str(provision), tuple(needs), ok


def _check_row(
    row: SourceRow, table: SourceTable, today: date
) -> tuple[PupilData | None, _RowCheck]:
    """Turn one source row into PupilData, collecting every problem with it."""
    check = _RowCheck()
    if row.problems:  # the cells are shifted: checking each field would only add noise
        for text in row.problems:
            check.problem("", text)
        return None, check
    v = dict(row.values)
    for key in (
        "surname",
        "forename",
        "preferred_surname",
        "preferred_forename",
        "reg_group",
        "home_language",
        "ethnicity",
    ):
        if key in v and any(ch in v[key] for ch in "\r\n\t"):
            v[key] = " ".join(v[key].split())
            check.warnings.append(
                (key, f"{FIELD_LABELS[key]} has a line break or tab in it: read as a space")
            )
    dob: date | None = None
    try:
        dob = mis_values.parse_date(v["dob"])
        if dob is None:
            check.problem("dob", "date of birth is missing")
    except ValueError as exc:
        check.problem("dob", f"date of birth {exc}")
    year: int | None = None
    try:
        year = mis_values.parse_year(v.get("year", ""))
    except ValueError as exc:
        check.problem("year", f"year group {exc}")
    gender: str | None = None
    try:
        gender = mis_values.parse_gender(v.get("gender", ""))
    except ValueError as exc:
        check.problem("gender", f"gender {exc}")
    flags: dict[str, bool] = {}
    for key in ("eal", "pupil_premium", "looked_after"):
        try:
            flags[key] = mis_values.parse_bool(v.get(key, ""))
        except ValueError as exc:
            check.problem(key, f"{FIELD_LABELS[key]} {exc}")
            flags[key] = False
    dates = {k: _optional_date(row, k, check) for k in ("admission_date", "leaving_date")}
    sen_start = _optional_date(row, "sen_start_date", check)
    provision, needs, register_ok = _parse_register(row, table, check)

    data = PupilData(
        upn=v["upn"],
        legal_surname=v["surname"],
        legal_forename=v["forename"],
        dob=dob or _PLACEHOLDER_DOB,
        preferred_surname=v.get("preferred_surname") or None,
        preferred_forename=v.get("preferred_forename") or None,
        gender=gender,
        year_group=year,
        reg_group=v.get("reg_group") or None,
        admission_date=dates["admission_date"],
        leaving_date=dates["leaving_date"],
        eal=flags["eal"],
        pupil_premium=flags["pupil_premium"],
        looked_after=flags["looked_after"],
        nhs_number=v.get("nhs_number") or None,
        # An unreadable code already has its problem; don't add census noise on top.
        provision=provision if register_ok else "N",
        needs=needs if register_ok else (),
        sen_start_date=sen_start,
        home_language=v.get("home_language") or None,
        ethnicity=v.get("ethnicity") or None,
    )
    for problem in validate_pupil(data, today=today):
        check.problem(ATTR_FIELD[problem.field], problem.reason)
    _note_upn_case(v["upn"], data, check)
    if not check.problems and not data.upn[-1].isdigit():  # valid, so a temporary UPN
        check.warnings.append(
            ("upn", f"UPN {data.upn} is temporary: replace it when the permanent UPN arrives")
        )
    return (None if check.problems else data), check


def _note_upn_case(raw: str, data: PupilData, check: _RowCheck) -> None:
    """Say on the line when a lower-case UPN was read in capitals.

    The DfE's format is capitals only (``rules.upn.is_valid`` is strict, census rule 1510
    fails on a lower-case check letter), so the MIS holds a UPN the census will reject:
    SENDesk stores the capitalised UPN and the note tells the SENCo to correct the MIS too.
    """
    if raw != raw.upper() and not any(key == "upn" for key, _ in check.problems):
        check.warnings.append(
            (
                "upn",
                f"UPN {raw} is in lower case: read as {data.upn} (correct it in the MIS too, "
                "or the census will reject it)",
            )
        )


def _supplied(table: SourceTable) -> frozenset[str]:
    attrs = {_FIELD_ATTR[key] for key in table.fields}
    if "sen_status" in table.fields:
        attrs |= {"provision", "needs"}
    return frozenset(attrs)


def validate_file(
    path: Path | str,
    mapping: Mapping[str, str] | str | None = None,
    *,
    today: date | None = None,
    encoding: str | None = None,
) -> tuple[list[ImportRow], ImportReport]:
    """Read and check an export without touching a database.

    Returns the valid rows and a report listing every problem (line, field, reason) and
    note. ``mapping`` is ``{header: field}`` or the ``--map`` text; ``encoding`` a CSV's
    encoding ("utf-8" or "windows-1252"; None detects, naming the lines that were not
    UTF-8). Raises ValidationError for a file that cannot be read as an export at all.
    """
    today = today or date.today()
    if isinstance(mapping, str):
        mapping = mis_columns.parse_map(mapping)
    table = mis_reading.read_file(path, mapping, encoding)
    report = ImportReport(
        file_name=Path(path).name,
        kind=table.kind,
        rows_read=len(table.rows),
        columns=dict(table.recognised),
        unused_columns=list(table.unrecognised),
        encoding=table.encoding,
        legacy_lines=table.legacy_lines,
    )
    report.warnings += [(0, "", text) for text in table.warnings]
    supplied = _supplied(table)
    rows: list[ImportRow] = []
    first_line: dict[str, int] = {}
    for source in table.rows:
        data, check = _check_row(source, table, today)
        key = source.values["upn"].strip().upper()
        if key and not any(k == "upn" for k, _ in check.problems):  # a valid UPN
            if key in first_line:
                check.problem("upn", f"UPN {key} is also on {table.line_word} {first_line[key]}")
                report.warnings.append(
                    (
                        first_line[key],
                        "upn",
                        f"UPN {key} is also on {table.line_word} {source.line}, "
                        "which was not imported",
                    )
                )
                data = None
            else:
                first_line[key] = source.line
        report.problems += [(source.line, k, text) for k, text in check.problems]
        report.warnings += [(source.line, k, text) for k, text in check.warnings]
        if data is not None:
            rows.append(ImportRow(source.line, data, supplied))
    # A row that is valid on its own but duplicated later is still imported once (first wins).
    report.valid_rows = len(rows)
    return rows, report


# --- writing --------------------------------------------------------------------------


class _Cancelled(Exception):
    """Raised inside the transaction when the progress callback asks to stop."""


def _change_date(current: CurrentStatus, data: PupilData, today: date) -> date:
    """The date a register change from the MIS takes effect.

    The row's SEN start date when it is later than the current entry's start, else today;
    never before the current entry (or needs) began, so history stays in order.
    """
    starts = [need.start_date for need in current.needs]
    if current.entry is not None:
        starts.append(current.entry.start_date)
    floor = max(starts, default=None)
    if data.sen_start_date is not None and (floor is None or data.sen_start_date > floor):
        return data.sen_start_date
    return max(today, floor) if floor is not None else today


def _target_needs(current: CurrentStatus, data: PupilData) -> tuple[str, ...]:
    """The needs after the import: the file's, keeping needs ranked below 2 (the school's
    own, never in an MIS export) when the census needs (ranks 1-2) are unchanged."""
    held = current.codes
    if held[:2] == data.needs and not census_problems(data.provision, list(held)):
        return held
    return data.needs


NO_PLAN = (
    "SEN status: the file says E (EHC plan) but no EHC plan is recorded for this pupil in "
    "SENDesk, so they were recorded as K (SEN support); record the plan in the EHC tab, "
    "then change their status to E"
)
"""The register never says E without a recorded plan (register.plan_problem); the MIS
line still brings the pupil and their needs in, on SEN support, and says so."""


def _without_plan(
    row: ImportRow, held: str | None, plan_issued: date | None, report: ImportReport
) -> PupilData:
    """The row's data as written: E only for a pupil with a live plan (or already E)."""
    data = row.data
    if data.provision != "E" or held == "E" or plan_issued is not None:
        return data
    report.warnings.append((row.line, "sen_status", NO_PLAN))
    return replace(data, provision="K")


def _tick(progress: Progress | None, done: int, total: int, every: int) -> None:
    due = done % every == 0 or done == total
    if progress is not None and due and progress(done, total) is False:
        raise _Cancelled


def _write(
    session: Session,
    actor: Actor,
    rows: list[ImportRow],
    report: ImportReport,
    today: date,
    progress: Progress | None,
) -> None:
    existing = {p.upn: p for p in session.scalars(select(Pupil))}
    # Every open entry held until the import commits, before its first audit event: a
    # SENCo's change made meanwhile waits for the import, or the import for it, and each
    # works on the other's result (issue 12; register.lock_current).
    current = lock_current(session)
    planned: dict[int, date] = dict(
        session.execute(
            select(EhcPlan.pupil_id, EhcPlan.issued_on).where(EhcPlan.ceased_on.is_(None))
        ).all()
    )
    audit = AuditWriter(session, actor)
    report.not_in_file = len(existing.keys() - {row.data.upn for row in rows})
    total, every = len(rows), max(1, len(rows) // 100)
    done = 0
    _tick(progress, 0, total, every)
    new_rows: list[ImportRow] = []
    for row in rows:
        pupil = existing.get(row.data.upn)
        if pupil is None:
            new_rows.append(row)
            continue
        values = row.data.pupil_values()
        changed = [a for a in PUPIL_ATTRS if a in row.supplied and getattr(pupil, a) != values[a]]
        for attr in changed:
            setattr(pupil, attr, values[attr])
        if changed:
            audit.record("update", "pupil", pupil.id, {"source": SOURCE, "changed": changed})
        register_changed = False
        if "provision" in row.supplied:
            status = current.setdefault(pupil.id, CurrentStatus(None, []))
            data = _without_plan(row, status.provision, planned.get(pupil.id), report)
            needs = _target_needs(status, data)
            if status.provision != data.provision or status.codes != needs:
                on = _change_date(status, data, today)
                if data.provision == "E" and status.provision != "E":
                    on = max(on, planned[pupil.id])  # E from the plan's issue, not before
                register_changed = apply_change(
                    session, audit, pupil.id, status, data.provision, needs, on, SOURCE
                )
        if changed or register_changed:
            report.updated += 1
            report.register_changes += register_changed
        else:
            report.unchanged += 1
        done += 1
        _tick(progress, done, total, every)

    # New pupils in one multi-row INSERT (ORM bulk insert; column defaults apply). The ids
    # come back by UPN, which is unique, so the order of RETURNING rows does not matter.
    created: dict[str, int] = {}
    if new_rows:
        stmt = insert(Pupil).returning(Pupil.upn, Pupil.id)
        rows_in = [{"upn": row.data.upn, **row.data.pupil_values()} for row in new_rows]
        created = {upn: pupil_id for upn, pupil_id in session.execute(stmt, rows_in)}
    for row in new_rows:
        pupil_id = created[row.data.upn]
        data = _without_plan(row, None, None, report)  # a new pupil has no plan recorded
        open_first_entry(session, audit, pupil_id, data, today, SOURCE, record_create=False)
        report.created += 1
        done += 1
        _tick(progress, done, total, every)

    report.warnings.sort(key=lambda w: w[0])  # notes made while writing, in file order
    if report.created or report.updated:
        audit.record(
            "import",
            "pupil",
            None,
            {
                "source": SOURCE,
                "file": report.file_name,
                "created": report.created,
                "updated": report.updated,
                "register_changes": report.register_changes,
                "skipped": len(report.problem_lines),
                "created_ids": [created[row.data.upn] for row in new_rows],
            },
        )
    session.flush()


def _reset_counts(report: ImportReport) -> None:
    report.created = report.updated = report.unchanged = 0
    report.register_changes = report.not_in_file = report.skipped = 0
    report.warnings = [w for w in report.warnings if w[2] != NO_PLAN]  # nothing was written


def import_pupils(
    db: Database,
    actor: Actor,
    path: Path | str,
    *,
    mapping: Mapping[str, str] | str | None = None,
    skip_invalid: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """The SENCo imports an MIS pupil export (CSV or XLSX); returns the report.

    Every row is validated first. With any problem nothing is written unless
    ``skip_invalid``, which writes the valid rows and reports the rest. All writes happen
    in one transaction; cancelling through ``progress`` rolls it back. Raises
    PermissionDeniedError for anyone but the SENCo, ValidationError for a file that cannot
    be read as an export, ConflictError when someone else changed pupils meanwhile.
    """
    permit(actor, Action.IMPORT_DATA)
    today = today or date.today()
    rows, report = validate_file(path, mapping, today=today, encoding=encoding)
    if (report.problems and not skip_invalid) or not rows:
        return report
    try:
        with db.transaction() as session:
            _write(session, actor, rows, report, today, progress)
    except _Cancelled:
        _reset_counts(report)
        report.cancelled = True
        return report
    except (IntegrityError, StaleDataError) as exc:
        raise ConflictError(
            "Pupils were changed by someone else during the import; nothing was written. "
            "Import the file again."
        ) from exc
    report.written = True
    report.skipped = len(report.problem_lines)
    log.info(
        "pupil import: %d created, %d updated, %d unchanged, %d register changes, %d skipped",
        report.created,
        report.updated,
        report.unchanged,
        report.register_changes,
        report.skipped,
    )
    return report


__all__ = [
    "SOURCE",
    "ImportReport",
    "ImportRow",
    "Progress",
    "import_pupils",
    "validate_file",
]
