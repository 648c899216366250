"""Teaching groups: who teaches whom, by subject — from the MIS or set by hand.

Why this module exists: an access arrangement is only allowed when it is the candidate's
normal way of working *in that subject*, and only the teacher of that subject can say so.
So SENDesk has to know which teacher teaches which pupils which subject: that decides
whose class list a pupil appears on and who may record normal-way-of-working evidence
(:mod:`sendesk.services.access.nww` enforces it).

Groups come from the school's MIS as a class-list export — one row per pupil per class,
with the class code, subject, teacher and the pupil's UPN — read like the pupil export
(CSV in UTF-8/UTF-16/Windows-1252, or the first sheet of an XLSX) and imported all or
nothing with line-numbered problems. A class in the file replaces the members of the
MIS-sourced group with the same code (an export is the MIS's whole truth about that
class); groups the SENCo made by hand are never touched by an import, and groups missing
from the file are left as they are. The teacher is linked to a SENDesk account whose
display name or username matches the file's (ignoring case and spacing); the MIS's name is
kept too, so classes can be imported before the teachers have accounts. The checking and
writing are :func:`record_class_list`, which a caller that has the rows already (the demo
school) calls inside its own transaction: one path for a file and for them.

Exam entries (which subjects a candidate sits: the only subjects access-arrangement evidence
is needed in) come with the same file: an optional "Entered" column (yes/no; also "Exam
entry", "Entered for exam") says whether the pupil is entered for that class's subject.
A pupil is entered for a subject when any of their rows for it says yes. With the column,
the file is the MIS's truth about the entries for the pupils and subjects it lists: an
imported entry it no longer says yes to is removed; entries the SENCo added by hand are
never touched, and pupils or subjects not in the file keep theirs. Without the column,
entries are left exactly as they are (the import works as it always has).

The SENCo may also make, change and remove groups by hand (one transaction each, with its
audit event and optimistic locking). Staff who may see named records may read them.
Nothing here logs pupils' names.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from sendesk.db import Database
from sendesk.errors import ConflictError, ValidationError
from sendesk.models import ExamEntry, Pupil, Role, TeachingGroup, TeachingGroupMember, User
from sendesk.rules.permissions import Scope
from sendesk.rules.sentences import as_clause, first_problems
from sendesk.services.actor import Actor
from sendesk.services.common import (
    add_audited,
    apply_changes,
    checked_text,
    current_or_gone,
    data_of,
    flush_or_conflict,
    refuse,
    remove_audited,
    sentence,
)
from sendesk.services.permissions import Action, permit
from sendesk.services.register import mis_columns, mis_reading
from sendesk.services.staff.users import active_staff
from sendesk.services.store.audit import AuditWriter

log = logging.getLogger(__name__)

CODE_MAX = 40
SUBJECT_MAX = 60
TEACHER_MAX = 120
MIS, MANUAL = "mis", "manual"
TEACHING_ROLES = (Role.TEACHER, Role.SENCO)
"""Roles a group's teacher may have: teachers, and the SENCo (who often teaches too)."""

CONFLICT = "Someone else changed this teaching group since you opened it; reopen it."
GONE = "That teaching group has been removed since you opened it."

Progress = Callable[[int, int], bool]
"""``progress(done, total)``; return False to cancel (nothing is then written)."""


@dataclass(frozen=True)
class GroupData:
    """A teaching group as the SENCo sets it by hand; checked by :func:`save_group`."""

    code: str
    subject: str
    teacher_name: str = ""
    teacher_id: int | None = None
    pupil_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class GroupItem:
    """One teaching group as screens show it (plain data)."""

    id: int
    code: str
    subject: str
    teacher_name: str
    teacher_id: int | None
    teacher: str  # the linked user's display name, else the MIS's teacher name
    pupil_ids: tuple[int, ...]
    version: int
    source: str


def squash(text: str) -> str:
    """Spaces collapsed, NFC-normalised: how codes, subjects and names are kept."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def fold(text: str) -> str:
    """A key for comparing names, codes and subjects regardless of case and spacing."""
    return squash(text).casefold()


# --- by hand -------------------------------------------------------------------------------


def _group_problems(code: str, subject: str, teacher: str, *, in_file: bool = False) -> list[str]:
    """What is wrong with a class's code, subject and teacher's name, typed in or read from
    a file: the same rules both ways. A file's problem names the code (a file holds many
    classes); the form's does not need to."""
    problems: list[str] = []
    which = f"the class code {code}" if in_file else "the class code"
    checked_text(code, CODE_MAX, f"{which} is", problems, missing="the class code is missing")
    checked_text(subject, SUBJECT_MAX, "the subject is", problems, missing="the subject is missing")
    checked_text(teacher, TEACHER_MAX, "the teacher's name is", problems)
    return problems


def _clean(session: Session, data: GroupData) -> dict[str, Any]:
    code, subject, teacher_name = squash(data.code), squash(data.subject), squash(data.teacher_name)
    problems = _group_problems(code, subject, teacher_name)
    if data.teacher_id is not None:
        user = session.get(User, data.teacher_id)
        if user is None or not user.active:
            problems.append("the teacher chosen has no active SENDesk account")
        elif user.role not in TEACHING_ROLES:
            problems.append(f"{user.display_name} is not a teacher or the SENCo")
        elif not teacher_name:
            teacher_name = user.display_name
    pupil_ids = tuple(dict.fromkeys(data.pupil_ids))
    if pupil_ids:
        found = set(session.scalars(select(Pupil.id).where(Pupil.id.in_(pupil_ids))))
        missing = len([p for p in pupil_ids if p not in found])
        if missing:
            problems.append(
                f"{missing} of the pupils chosen {'is' if missing == 1 else 'are'} no longer "
                "in SENDesk"
            )
    refuse(problems)
    return {
        "code": code,
        "subject": subject,
        "teacher_name": teacher_name,
        "teacher_id": data.teacher_id,
        "pupil_ids": pupil_ids,
    }


def _code_taken(session: Session, code: str, group_id: int | None) -> None:
    for other_id, other_code in session.execute(select(TeachingGroup.id, TeachingGroup.code)).all():
        if other_id != group_id and fold(other_code) == fold(code):
            raise ValidationError(f"There is already a teaching group with the code {other_code}.")


def save_group(
    db: Database, actor: Actor, group_id: int | None, version: int | None, data: GroupData
) -> int:
    """The SENCo makes a group (``group_id`` None) or changes one; returns its id.

    Changing a group needs the version it was read at (ConflictError when someone saved
    it since). The members become exactly ``data.pupil_ids``. A group keeps its source:
    a class from the MIS edited by hand is still replaced by the next class-list import.
    """
    permit(actor, Action.IMPORT_DATA)
    with db.transaction() as s:
        values = _clean(s, data)
        pupil_ids: tuple[int, ...] = values.pop("pupil_ids")
        _code_taken(s, values["code"], group_id)
        audit = AuditWriter(s, actor)
        if group_id is None:
            group = TeachingGroup(source=MANUAL, **values)
            add_audited(
                s,
                audit,
                group,
                "teaching_group",
                {"code": group.code, "subject": group.subject, "members": len(pupil_ids)},
            )
            _set_members(s, group.id, set(), set(pupil_ids))
            return group.id
        group = current_or_gone(s, TeachingGroup, group_id, version, GONE, CONFLICT)
        changed = apply_changes(group, values)
        held = set(
            s.scalars(
                select(TeachingGroupMember.pupil_id).where(TeachingGroupMember.group_id == group_id)
            )
        )
        added, removed = _set_members(s, group_id, held, set(pupil_ids))
        if not changed and not added and not removed:
            return group.id
        _bump(s, group)
        audit.record(
            "update",
            "teaching_group",
            group.id,
            {"fields": changed, "members_added": added, "members_removed": removed},
        )
        return group.id


def _bump(session: Session, group: TeachingGroup) -> None:
    """Save the group, moving its version on even when only its members changed (so a
    screen holding the old member list is told, rather than overwriting the change)."""
    flag_modified(group, "code")
    flush_or_conflict(session, CONFLICT)


def _set_members(
    session: Session, group_id: int, held: set[int], wanted: set[int]
) -> tuple[int, int]:
    """Make the group's members exactly ``wanted``; returns (added, removed)."""
    gone = held - wanted
    new = wanted - held
    if gone:
        session.execute(
            delete(TeachingGroupMember)
            .where(TeachingGroupMember.group_id == group_id)
            .where(TeachingGroupMember.pupil_id.in_(gone))
            .execution_options(synchronize_session=False)
        )
    if new:
        session.execute(
            insert(TeachingGroupMember),
            [{"group_id": group_id, "pupil_id": p} for p in sorted(new)],
        )
    return len(new), len(gone)


def remove_group(db: Database, actor: Actor, group_id: int, version: int) -> None:
    """The SENCo removes a group and its membership (evidence already recorded stays)."""
    permit(actor, Action.IMPORT_DATA)
    with db.transaction() as s:
        group = current_or_gone(s, TeachingGroup, group_id, version, GONE, CONFLICT)
        remove_audited(
            s, AuditWriter(s, actor), group, CONFLICT, "teaching_group", {"code": group.code}
        )


def list_groups(db: Database, actor: Actor) -> list[GroupItem]:
    """Every teaching group, by code, with its members' ids (three queries); a teacher's
    own classes only (their scope in the permission table)."""
    scope = permit(actor, Action.VIEW_CLASSES)
    with db.session() as s:
        stmt = select(TeachingGroup)
        if scope is not Scope.ALL:
            stmt = stmt.where(TeachingGroup.teacher_id == actor.user_id)
        groups = s.scalars(stmt).all()
        names = dict(s.execute(select(User.id, User.display_name)).all())
        members: dict[int, list[int]] = defaultdict(list)
        for group_id, pupil_id in s.execute(
            select(TeachingGroupMember.group_id, TeachingGroupMember.pupil_id).order_by(
                TeachingGroupMember.group_id, TeachingGroupMember.pupil_id
            )
        ):
            members[group_id].append(pupil_id)
        items = [
            data_of(
                g,
                GroupItem,
                teacher=teacher_label(g.teacher_id, g.teacher_name, names),
                pupil_ids=tuple(members.get(g.id, ())),
            )
            for g in groups
        ]
    items.sort(key=lambda g: (fold(g.code), g.id))
    return items


def teacher_label(teacher_id: int | None, teacher_name: str, names: Mapping[int, str]) -> str:
    """Who teaches a group, as screens say it: the linked account's name, else the MIS's."""
    if teacher_id is not None and teacher_id in names:
        return names[teacher_id]
    return teacher_name


def teachers(db: Database, actor: Actor) -> list[tuple[int, str]]:
    """Active teachers and SENCos (id, display name) by name: who a group may be given to."""
    permit(actor, Action.VIEW_CLASSES)
    with db.session() as s:
        return active_staff(s, TEACHING_ROLES)


# --- the class-list import -------------------------------------------------------------------

FIELDS: tuple[str, ...] = ("code", "subject", "teacher", "upn", "entered", "staff_code")
"""The field keys a column of a class-list export can be mapped to (``mapping``)."""
REQUIRED: tuple[str, ...] = ("code", "subject", "upn")
FIELD_LABELS: dict[str, str] = {
    "code": "class code",
    "subject": "subject",
    "teacher": "teacher",
    "upn": "UPN",
    "entered": "entered for the exam",
    "staff_code": "teacher's staff code",
}
YES = frozenset({"yes", "y", "true", "1", "x", "entered"})
NO = frozenset({"no", "n", "false", "0", "", "not entered"})
_ALIAS_TABLE: dict[str, tuple[str, ...]] = {
    "code": (
        "Class",
        "Class code",
        "Class name",
        "Class group",
        "Group",
        "Group code",
        "Group name",
        "Teaching group",
        "Teaching class",
        "Set",
        "Course class",
    ),
    "subject": ("Subject", "Subject name", "Course", "Course name", "Subject description"),
    "teacher": (
        "Teacher",
        "Teacher name",
        "Teachers",
        "Main teacher",
        "Class teacher",
        "Staff",
        "Staff name",
        "Teacher username",
        "Staff username",
    ),
    "upn": ("UPN", "Student UPN", "Pupil UPN", "Unique Pupil Number"),
    "entered": ("Entered", "Exam entry", "Exam entered", "Entered for exam", "Exam entries"),
    # the MIS staff code a SENDesk account is linked to (issue 13: classes follow from it)
    "staff_code": ("Staff code", "Teacher code", "Staff ID", "Teacher ID"),
}
HEADER_ALIASES: dict[str, str] = {
    mis_columns.normalise_header(h): key for key, hs in _ALIAS_TABLE.items() for h in hs
}


@dataclass(frozen=True)
class ClassRow:
    """One row of a class-list export: where it is, and its values by field key."""

    line: int
    values: dict[str, str]


@dataclass
class ClassImportReport(mis_reading.FileImportReport):
    """What a class-list import found and did; :meth:`format` is the printed report.

    ``problems`` are ``(line, text)``, line 0 for the file as a whole; an import with any
    problem writes nothing.
    """

    groups_in_file: int = 0
    members: int = 0
    members_added: int = 0
    members_removed: int = 0
    entries_in_file: bool = False
    entries_added: int = 0
    entries_removed: int = 0
    kept_manual: list[str] = field(default_factory=list)
    unmatched_teachers: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Class-list import from {self.file_name}: {_count(self.rows_read, 'row')} read, "
            f"{_count(self.groups_in_file, 'class', 'classes')}."
        ]
        out += self._column_lines(FIELD_LABELS)
        if self.problems:
            bad = sorted({line for line, _ in self.problems if line})
            out += ["", f"{_count(len(bad), self.line_word)} with problems:"]
            out += [f"  {self._where(line)}{text}" for line, text in sorted(self.problems)]
        if self.notes:
            out += ["", "Notes:"]
            out += [f"  {self._where(line)}{text}" for line, text in sorted(self.notes)]
        out.append("")
        if self.cancelled:
            out.append("The import was cancelled: nothing was written.")
        elif not self.written:
            out.append(
                "Nothing was written: an import is all or nothing. Fix the problems above and "
                "import the file again."
            )
        else:
            out.append(
                f"Imported: {self.created} new, {self.updated} updated and {self.unchanged} "
                f"unchanged {'class' if self.groups_in_file == 1 else 'classes'}; "
                f"{_count(self.members, 'pupil place')} in them "
                f"({self.members_added} added, {self.members_removed} removed)."
            )
            if self.entries_in_file:
                out.append(
                    f"Exam entries: {self.entries_added} added, {self.entries_removed} removed "
                    "(entries added by hand in SENDesk are left as they are)."
                )
            if self.kept_manual:
                out.append(
                    "Left as they are (set by hand in SENDesk, not from the MIS): "
                    f"{', '.join(self.kept_manual)}."
                )
            if self.unmatched_teachers:
                out.append(
                    "Teachers with no SENDesk account of that name (their classes show the "
                    "name; give them an account to let them record evidence): "
                    f"{', '.join(self.unmatched_teachers)}."
                )
        return out

    def format(self) -> str:
        """The report as ``sendesk import-classes`` prints it."""
        return "\n".join(self.lines()) + "\n"


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def parse_class_map(text: str) -> dict[str, str]:
    """``"Group=code,Staff=teacher"`` as ``{header: field}`` (fields: code, subject,
    teacher, upn, entered); ValidationError with one sentence for anything else."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        header, sep, key = part.partition("=")
        key = key.strip().casefold()
        if not sep or not header.strip() or not key:
            raise ValidationError(
                f"--map entry '{part.strip()}' is not in the form Header=field "
                '(e.g. --map "Group=code,Staff=teacher").'
            )
        if key not in FIELDS:
            raise ValidationError(
                f"--map names an unknown field '{key}'; the fields are: {', '.join(FIELDS)}."
            )
        mapping[header.strip()] = key
    return mapping


def _resolve(
    headers: Sequence[str], mapping: Mapping[str, str] | None
) -> tuple[dict[int, str], dict[str, str], list[str]]:
    by_norm = {mis_columns.normalise_header(h): k for h, k in (mapping or {}).items()}
    shown = mis_columns.shown_columns(headers)
    present = {mis_columns.normalise_header(h) for h in headers}
    missing_mapped = [h for h in (mapping or {}) if mis_columns.normalise_header(h) not in present]
    if missing_mapped:
        raise ValidationError(
            f"--map names a column the file does not have ('{missing_mapped[0]}'); the "
            f"columns are: {shown}."
        )
    columns: dict[int, str] = {}
    recognised: dict[str, str] = {}
    unused: list[str] = []
    order = sorted(
        range(len(headers)),
        key=lambda i: mis_columns.normalise_header(headers[i]) not in by_norm,
    )
    for index in order:
        header = headers[index].strip()
        if not header:
            continue
        norm = mis_columns.normalise_header(header)
        key = by_norm.get(norm) or HEADER_ALIASES.get(norm)
        if key is None or key in columns.values():
            unused.append(header)
            continue
        columns[index] = key
        recognised[header] = key
    missing = [k for k in REQUIRED if k not in columns.values()]
    if missing:
        labels = ", ".join(FIELD_LABELS[k] for k in missing)
        raise ValidationError(
            f"The file has no column for {labels} (the columns are: {shown}); rename the "
            f'column or name it with --map "Your header={missing[0]}".'
        )
    position = {h.strip(): i for i, h in reversed(list(enumerate(headers)))}
    unused.sort(key=position.__getitem__)  # file order (a dict: linear, not quadratic)
    return columns, recognised, unused


def _rows(
    records: Iterable[tuple[int, Sequence[str]]], columns: Mapping[int, str]
) -> list[ClassRow]:
    rows: list[ClassRow] = []
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        values = {key: "" for key in columns.values()}
        for index, key in columns.items():
            if index < len(cells):
                values[key] = squash(cells[index])
        rows.append(ClassRow(line, values))
    return rows


def read_class_list(
    path: Path | str, mapping: Mapping[str, str] | None = None, encoding: str | None = None
) -> tuple[str, dict[str, str], list[str], list[ClassRow]]:
    """Read a class-list export: (kind, recognised headers, unused headers, rows).

    The same file handling as the pupil export (limits, encodings, delimiters, the header
    being the first non-blank line or, in a sheet, one of the first few non-empty rows).
    Raises ValidationError with one sentence for a file that cannot be read as one.
    """
    rows, kind, recognised, unused, _records = _read_class_list(path, mapping, encoding)
    return kind, recognised, unused, rows


def _read_class_list(
    path: Path | str, mapping: Mapping[str, str] | None, encoding: str | None
) -> tuple[list[ClassRow], str, dict[str, str], list[str], mis_reading.Records]:
    path = Path(path)
    kind = mis_columns.SUFFIXES.get(path.suffix.casefold())
    if kind is None:
        raise ValidationError(
            f"{path.name} is not a CSV or XLSX file (expected a name ending .csv or .xlsx)."
        )
    if not path.is_file():
        raise ValidationError(f"{path} does not exist.")
    records = mis_reading.open_records(path, kind, mis_reading.encoding_choice(encoding))
    tries = mis_columns.HEADER_SEARCH_ROWS if kind == "xlsx" else 1

    def resolve(
        cells: list[str],
    ) -> tuple[dict[int, str], dict[str, str], list[str]]:
        return _resolve([squash(h) for h in cells], mapping)

    with closing(records.rows):
        (columns, recognised, unused), rest = mis_reading.split_header(
            records, tries, resolve, f"{path.name} is empty: there is no header row."
        )
        rows = _rows(rest, columns)
    if not rows:
        raise ValidationError(f"{path.name} has a header row but no pupils in classes.")
    return rows, kind, recognised, unused, records


@dataclass
class _PlannedGroup:
    code: str
    subject: str
    teacher: str
    line: int
    upns: dict[str, int] = field(default_factory=dict)  # UPN -> first line
    staff_code: str = ""
    entered: set[str] = field(default_factory=set)  # UPNs marked entered for the subject


def _plan(
    rows: Sequence[ClassRow], report: ClassImportReport, pupils: Mapping[str, int]
) -> dict[str, _PlannedGroup]:
    """Check every row; the classes by folded code (empty when any row has a problem)."""
    word = report.line_word
    groups: dict[str, _PlannedGroup] = {}
    for row in rows:
        v = row.values
        code, subject, teacher = v["code"], v["subject"], v.get("teacher", "")
        upn = v["upn"].replace(" ", "").upper()
        problems = _group_problems(code, subject, teacher, in_file=True)
        flag = v.get("entered", "").casefold()
        if flag not in YES and flag not in NO:
            problems.append(
                f"the entered column says '{v['entered']}'; use yes or no (or leave it blank)"
            )
        if not upn:
            problems.append("the UPN is missing")
        elif upn not in pupils:
            problems.append(f"UPN {upn} is not in SENDesk (import the pupils first)")
        group = groups.get(fold(code)) if code else None
        if group is not None:
            if subject and fold(subject) != fold(group.subject):
                problems.append(
                    f"class {group.code} has the subject {group.subject} on {word} "
                    f"{group.line} but {subject} here"
                )
            if fold(teacher) != fold(group.teacher):
                problems.append(
                    f"class {group.code} has the teacher '{group.teacher}' on {word} "
                    f"{group.line} but '{teacher}' here"
                )
        if problems:
            report.problems.append((row.line, sentence(problems)))
            continue
        if group is None:
            group = groups[fold(code)] = _PlannedGroup(code, subject, teacher, row.line)
            group.staff_code = v.get("staff_code", "")
        if flag in YES:
            group.entered.add(upn)
        if upn in group.upns:
            report.notes.append(
                (
                    row.line,
                    f"UPN {upn} is already in class {group.code} on {word} "
                    f"{group.upns[upn]}: read once.",
                )
            )
        else:
            group.upns[upn] = row.line
    return {} if report.problems else groups


def _match_teachers(session: Session, names: set[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Teacher names (folded) → user id where one active teacher/SENCo matches by display
    name, username or MIS staff code; and the reason a name was not linked, by folded name."""
    users = session.execute(
        select(User.id, User.username, User.display_name, User.staff_code)
        .where(User.active.is_(True))
        .where(User.role.in_([r.value for r in TEACHING_ROLES]))
    ).all()
    candidates: dict[str, set[int]] = defaultdict(set)
    for user_id, username, display_name, staff_code in users:
        candidates[fold(username)].add(user_id)
        candidates[fold(display_name)].add(user_id)
        if staff_code:  # many MIS class lists give the teacher as their staff code
            candidates[fold(staff_code)].add(user_id)
    matched: dict[str, int] = {}
    unmatched: dict[str, str] = {}
    for name in names:
        found = candidates.get(name, set())
        if len(found) == 1:
            matched[name] = next(iter(found))
        elif found:
            unmatched[name] = "more than one account matches"
        else:
            unmatched[name] = "no account"
    return matched, unmatched


def _by_staff_code(session: Session) -> dict[str, int]:
    """Staff codes (folded) → the active teacher or SENCo linked to that MIS staff code."""
    rows = session.execute(
        select(User.staff_code, User.id)
        .where(User.active.is_(True), User.staff_code.is_not(None))
        .where(User.role.in_([r.value for r in TEACHING_ROLES]))
    ).all()
    return {fold(code): user_id for code, user_id in rows if code}


class _Cancelled(Exception):
    """Raised inside the transaction when the progress callback asks to stop."""


def import_classes(
    db: Database,
    actor: Actor,
    path: Path | str,
    *,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ClassImportReport:
    """The SENCo imports a class-list export (one row per pupil per class); the report.

    Every row is checked first — the class code, subject and UPN are needed, the pupil
    must be in SENDesk, and a class must have the same subject and teacher on every row —
    and one problem means nothing is written. Classes in the file create MIS groups or
    replace the subject, teacher and members of the MIS group with the same code; groups
    made by hand are left alone. Raises ValidationError for a file that cannot be read,
    ConflictError when someone changed the groups meanwhile.
    """
    permit(actor, Action.IMPORT_DATA)
    if isinstance(mapping, str):
        mapping = parse_class_map(mapping)
    rows, kind, recognised, unused, records = _read_class_list(path, mapping, encoding)
    report = ClassImportReport(
        file_name=Path(path).name,
        kind=kind,
        rows_read=len(rows),
        columns=recognised,
        unused_columns=unused,
        encoding=records.encoding,
        legacy_lines=records.legacy_lines,
    )
    report.notes += [(0, text[:1].upper() + text[1:] + ".") for text in records.warnings]
    try:
        with db.transaction() as s:
            _record(s, AuditWriter(s, actor), rows, report, progress)
    except _Cancelled:
        report.cancelled = True
        report.created = report.updated = report.unchanged = 0
        report.members = report.members_added = report.members_removed = 0
        report.entries_added = report.entries_removed = 0
        return report
    except (IntegrityError, StaleDataError) as exc:
        raise ConflictError(
            "Teaching groups were changed by someone else during the import; nothing was "
            "written. Import the file again."
        ) from exc
    if report.problems:
        return report
    report.written = True
    log.info(
        "class import: %d created, %d updated, %d unchanged, %d members",
        report.created,
        report.updated,
        report.unchanged,
        report.members,
    )
    return report


def record_class_list(
    session: Session, audit: AuditWriter, rows: Sequence[ClassRow], *, source: str = ""
) -> ClassImportReport:
    """Record a class list given as rows (one per pupil per class, as :func:`read_class_list`
    gives a file's) inside the caller's transaction; ``audit`` names who records it.

    The import's own checks and writing, for a caller that has its rows already (the demo
    school's classes): every row checked first (:func:`import_classes` says how), the
    teacher linked by MIS staff code, display name or username, MIS groups created or
    replaced, and the exam entries of the "entered" value when the rows have one. Any
    problem is one ValidationError sentence naming the rows (``ClassRow.line``), and
    nothing is written. ``source`` names the rows in the audit events, as a file's name
    does. Returns the report (counts; ``unmatched_teachers`` lists names not linked).
    """
    report = ClassImportReport(file_name=source, rows_read=len(rows))
    _record(session, audit, rows, report, None)
    if report.problems:
        problems = (f"row {line}: {as_clause(text)}" for line, text in report.problems)
        raise ValidationError(first_problems(problems) + " Nothing was recorded.")
    return report


def _record(
    session: Session,
    audit: AuditWriter,
    rows: Sequence[ClassRow],
    report: ClassImportReport,
    progress: Progress | None,
) -> None:
    """Check ``rows`` and, when none has a problem, write them: the one path of a file's
    import and of :func:`record_class_list`. Problems go on ``report``, line by line."""
    permit(audit.actor, Action.IMPORT_DATA)
    pupils = dict(session.execute(select(Pupil.upn, Pupil.id)).all())
    planned = _plan(rows, report, pupils)
    report.groups_in_file = len(planned) or len({fold(r.values["code"]) for r in rows})
    if report.problems:
        return
    _write(session, audit, planned, pupils, report, progress)
    # With an "entered" column every row has the value (blank when the cell is).
    if any("entered" in row.values for row in rows):
        _write_entries(session, audit, planned, pupils, report)


def _write(
    session: Session,
    audit: AuditWriter,
    planned: Mapping[str, _PlannedGroup],
    pupils: Mapping[str, int],
    report: ClassImportReport,
    progress: Progress | None,
) -> None:
    existing = {fold(g.code): g for g in session.scalars(select(TeachingGroup))}
    matched, unmatched = _match_teachers(
        session, {fold(p.teacher) for p in planned.values() if p.teacher}
    )
    by_code = _by_staff_code(session)
    held: dict[int, set[int]] = defaultdict(set)
    for group_id, pupil_id in session.execute(
        select(TeachingGroupMember.group_id, TeachingGroupMember.pupil_id)
    ):
        held[group_id].add(pupil_id)
    total = len(planned)
    if progress is not None and progress(0, total) is False:
        raise _Cancelled
    new_groups: list[tuple[_PlannedGroup, dict[str, Any]]] = []
    changed_ids: list[int] = []
    for done, (key, plan) in enumerate(sorted(planned.items()), start=1):
        values = {
            "code": plan.code,
            "subject": plan.subject,
            "teacher_name": plan.teacher,
            "teacher_id": by_code.get(fold(plan.staff_code))
            or (matched.get(fold(plan.teacher)) if plan.teacher else None),
        }
        wanted = {pupils[upn] for upn in plan.upns}
        report.members += len(wanted)
        group = existing.get(key)
        if group is None:
            new_groups.append((plan, values))
        elif group.source != MIS:
            report.kept_manual.append(group.code)
            report.members -= len(wanted)
        else:
            fields = apply_changes(group, values)
            added, removed = _set_members(session, group.id, held[group.id], wanted)
            report.members_added += added
            report.members_removed += removed
            if fields or added or removed:
                _bump(session, group)
                report.updated += 1
                changed_ids.append(group.id)
            else:
                report.unchanged += 1
        due = done % 50 == 0 or done == total
        if progress is not None and due and progress(done, total) is False:
            raise _Cancelled
    if new_groups:
        session.execute(
            insert(TeachingGroup),
            [{**values, "source": MIS, "version": 1} for _, values in new_groups],
        )
        ids = dict(
            session.execute(
                select(TeachingGroup.code, TeachingGroup.id).where(
                    TeachingGroup.code.in_([p.code for p, _ in new_groups])
                )
            ).all()
        )
        member_rows = [
            {"group_id": ids[plan.code], "pupil_id": pupils[upn]}
            for plan, _ in new_groups
            for upn in plan.upns
        ]
        if member_rows:
            session.execute(insert(TeachingGroupMember), member_rows)
        report.created = len(new_groups)
        report.members_added += len(member_rows)
        changed_ids += [ids[plan.code] for plan, _ in new_groups]
    shown: dict[str, str] = {}
    for plan in planned.values():
        linked = fold(plan.staff_code) in by_code
        if plan.teacher and fold(plan.teacher) in unmatched and not linked:
            shown.setdefault(fold(plan.teacher), plan.teacher)
    report.unmatched_teachers = sorted(shown.values(), key=str.casefold)
    for key, name in shown.items():
        if unmatched[key] != "no account":
            report.notes.append((0, f"'{name}' was not linked: {unmatched[key]}."))
    report.kept_manual.sort(key=str.casefold)
    if report.created or report.updated:
        audit.record(
            "import",
            "teaching_group",
            None,
            {
                "file": report.file_name,
                "created": report.created,
                "updated": report.updated,
                "members_added": report.members_added,
                "members_removed": report.members_removed,
                "group_ids": sorted(changed_ids),
            },
        )
    session.flush()


def _write_entries(
    session: Session,
    audit: AuditWriter,
    planned: Mapping[str, _PlannedGroup],
    pupils: Mapping[str, int],
    report: ClassImportReport,
) -> None:
    """Exam entries from the file's "entered" column (see the module's docstring): add an
    imported entry where a pupil is marked entered for a class's subject, remove an
    imported one the file lists the pupil and subject for but no longer marks entered;
    entries added by hand are never touched. One audit event with the counts."""
    report.entries_in_file = True
    wanted: dict[tuple[int, str], tuple[str, bool]] = {}  # (pupil, folded subject)
    for plan in planned.values():
        for upn in plan.upns:
            key = (pupils[upn], fold(plan.subject))
            held = wanted.get(key)
            yes = upn in plan.entered or (held is not None and held[1])
            wanted[key] = (held[0] if held else plan.subject, yes)
    existing: dict[tuple[int, str], tuple[int, str]] = {
        (pupil_id, fold(subject)): (entry_id, source)
        for entry_id, pupil_id, subject, source in session.execute(
            select(ExamEntry.id, ExamEntry.pupil_id, ExamEntry.subject, ExamEntry.source).where(
                ExamEntry.pupil_id.in_(sorted({p for p, _ in wanted}))
            )
        )
    }
    add = [
        {"pupil_id": pupil_id, "subject": subject, "source": MIS}
        for (pupil_id, key), (subject, yes) in sorted(wanted.items())
        if yes and (pupil_id, key) not in existing
    ]
    drop = [
        existing[key][0]
        for key, (_, yes) in wanted.items()
        if not yes and key in existing and existing[key][1] == MIS
    ]
    if add:
        session.execute(insert(ExamEntry), add)
    if drop:
        session.execute(delete(ExamEntry).where(ExamEntry.id.in_(drop)))
    report.entries_added, report.entries_removed = len(add), len(drop)
    if add or drop:
        audit.record(
            "import",
            "exam_entry",
            None,
            {"file": report.file_name, "added": len(add), "removed": len(drop)},
        )
    session.flush()


__all__ = [
    "FIELDS",
    "MANUAL",
    "MIS",
    "ClassImportReport",
    "ClassRow",
    "GroupData",
    "GroupItem",
    "fold",
    "import_classes",
    "list_groups",
    "parse_class_map",
    "read_class_list",
    "record_class_list",
    "remove_group",
    "save_group",
    "teacher_label",
    "teachers",
]
