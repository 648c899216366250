"""Who may do what, on which pupils: the one permission table (issue 13).

Why one table: SEND records are special-category data about children, and "who may see
what" only holds if every path to the data — the window, the command line, an export —
asks the same question. Each service function names the :class:`Action` it performs and
:mod:`sendesk.services.permissions` looks the actor's role up here before reading or
writing; the README's roles table is generated from it (``python -m
sendesk.rules.permissions`` prints it; a test fails if they differ), and on PostgreSQL the
database's grants and row-level policies give each login role the same table.

A cell is a :class:`Scope`: every pupil (or, for an action that is not about one pupil,
simply "allowed"), the pupils the user teaches (their classes from the MIS), the pupils in
the intervention groups they lead or assigned to them, or none (refused).

Pure: no database, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sendesk.roles import ROLE_LABELS, Role


class Scope(StrEnum):
    """On which pupils a role may take an action."""

    ALL = "all"
    TAUGHT = "taught"
    """The pupils in the classes the user teaches."""
    MINE = "mine"
    """The pupils in the intervention groups the user leads, and those assigned to them."""
    NONE = "none"


SCOPE_WORDS: dict[Scope, str] = {
    Scope.ALL: "yes",
    Scope.TAUGHT: "pupils they teach",
    Scope.MINE: "groups they lead, pupils assigned to them",
    Scope.NONE: "—",
}


class Action(StrEnum):
    """Everything SENDesk does with the school's data, at the grain a role differs."""

    # --- reading about pupils (named) ---
    VIEW_REGISTER = "view_register"
    VIEW_RECORD = "view_record"
    VIEW_PASSPORT = "view_passport"
    VIEW_SUPPORT_PLANS = "view_support_plans"
    VIEW_INTERVENTIONS = "view_interventions"
    VIEW_PROGRESS = "view_progress"
    VIEW_AGENCY_ADVICE = "view_agency_advice"
    OPEN_DOCUMENTS = "open_documents"
    VIEW_ACCESS_ARRANGEMENTS = "view_access_arrangements"
    VIEW_EXAMS_LIST = "view_exams_list"
    VIEW_EHC_REQUESTS = "view_ehc_requests"
    VIEW_EHC_PLANS = "view_ehc_plans"
    VIEW_PROVISION_COSTS = "view_provision_costs"
    VIEW_DUE = "view_due"
    VIEW_CLASSES = "view_classes"
    VIEW_CONCERNS = "view_concerns"
    VIEW_MEETINGS = "view_meetings"
    # --- figures without names ---
    VIEW_SCHOOL_FIGURES = "view_school_figures"
    VIEW_SCHOOL_COSTS = "view_school_costs"
    # --- recording ---
    RECORD_NWW = "record_nww"
    RAISE_CONCERN = "raise_concern"
    LOG_SESSIONS = "log_sessions"
    RECORD_MEASURES = "record_measures"
    CHANGE_REGISTER = "change_register"
    DECIDE_CONCERNS = "decide_concerns"
    MANAGE_MEETINGS = "manage_meetings"
    WRITE_PROFILES = "write_profiles"
    EDIT_PUPILS = "edit_pupils"
    IMPORT_DATA = "import_data"
    TRANSFER_RECORDS = "transfer_records"
    EDIT_SUPPORT_PLANS = "edit_support_plans"
    MANAGE_INTERVENTIONS = "manage_interventions"
    RECORD_PROGRESS = "record_progress"
    EDIT_AGENCY_ADVICE = "edit_agency_advice"
    MANAGE_DOCUMENTS = "manage_documents"
    MANAGE_ACCESS_ARRANGEMENTS = "manage_access_arrangements"
    MANAGE_EHC = "manage_ehc"
    BUILD_PACK = "build_pack"
    CHECK_CENSUS = "check_census"
    # --- the school ---
    MANAGE_STAFF = "manage_staff"
    CHANGE_SETTINGS = "change_settings"
    READ_AUDIT = "read_audit"


@dataclass(frozen=True)
class Permission:
    """One row of the table: what the action is, in words, and each role's scope."""

    doing: str
    """Completes "<Role> accounts cannot …" in the refusal and names the row in the README."""
    scopes: dict[Role, Scope]


A, T, M, N = Scope.ALL, Scope.TAUGHT, Scope.MINE, Scope.NONE
_ROLES = (Role.SENCO, Role.TEACHER, Role.LEARNING_SUPPORT, Role.EXAMS_OFFICER, Role.READ_ONLY)


def _row(
    doing: str, senco: Scope, teacher: Scope, ls: Scope, exams: Scope, ro: Scope
) -> Permission:
    return Permission(doing, dict(zip(_ROLES, (senco, teacher, ls, exams, ro), strict=True)))


#: The table. Columns: SENCo, teacher, learning support, exams officer, read-only.
PERMISSIONS: dict[Action, Permission] = {
    Action.VIEW_REGISTER: _row("see the SEND register and export it", A, T, M, N, N),
    Action.VIEW_RECORD: _row("see a pupil's record (status, needs, what helps)", A, T, M, N, N),
    Action.VIEW_PASSPORT: _row(
        "see and export a pupil passport and one-page profile", A, T, M, N, N
    ),
    Action.VIEW_SUPPORT_PLANS: _row("see support plans' outcomes and provision", A, T, M, N, N),
    Action.VIEW_INTERVENTIONS: _row("see interventions, enrolments and measures", A, T, M, N, N),
    Action.VIEW_PROGRESS: _row("see attendance and attainment", A, T, M, N, N),
    Action.VIEW_AGENCY_ADVICE: _row("see agency advice marked for staff", A, T, M, N, N),
    Action.OPEN_DOCUMENTS: _row("open evidence documents marked for staff", A, T, M, N, N),
    Action.VIEW_ACCESS_ARRANGEMENTS: _row("see a pupil's exam access arrangements", A, T, M, N, N),
    Action.VIEW_EXAMS_LIST: _row("see and export the exams officer's list", A, N, N, A, N),
    Action.VIEW_EHC_REQUESTS: _row("see EHC requests and where a case stands", A, N, N, N, N),
    Action.VIEW_EHC_PLANS: _row("see issued EHC plans and their reviews", A, T, M, N, N),
    Action.VIEW_PROVISION_COSTS: _row("see a pupil's provision costs", A, N, N, N, N),
    Action.VIEW_DUE: _row("see what's due", A, T, M, N, N),
    Action.VIEW_CLASSES: _row("see teaching groups (classes)", A, T, N, N, N),
    Action.VIEW_CONCERNS: _row("see causes for concern and what was decided", A, T, M, N, N),
    Action.VIEW_MEETINGS: _row("see review meetings, who came and what they said", A, T, M, N, N),
    Action.VIEW_SCHOOL_FIGURES: _row("see the register's anonymised statistics", A, A, A, N, A),
    Action.VIEW_SCHOOL_COSTS: _row("see the school's provision map and costs", A, N, N, N, A),
    Action.RECORD_NWW: _row("record normal-way-of-working evidence", A, T, N, N, N),
    Action.RAISE_CONCERN: _row("raise a cause for concern and add evidence to it", A, T, M, N, N),
    Action.LOG_SESSIONS: _row("log intervention sessions", A, M, M, N, N),
    Action.RECORD_MEASURES: _row("record entry and exit measures", A, M, M, N, N),
    Action.CHANGE_REGISTER: _row("change the SEND register", A, N, N, N, N),
    Action.DECIDE_CONCERNS: _row(
        "ask for more evidence on a concern and decide what happens", A, N, N, N, N
    ),
    Action.MANAGE_MEETINGS: _row(
        "schedule review meetings, write to parents and record who came", A, N, N, N, N
    ),
    Action.WRITE_PROFILES: _row("write a pupil's one-page profile with them", A, N, N, N, N),
    Action.EDIT_PUPILS: _row("add pupils or change their details and contacts", A, N, N, N, N),
    Action.IMPORT_DATA: _row("import pupils, classes and attainment; edit classes", A, N, N, N, N),
    Action.TRANSFER_RECORDS: _row(
        "import and export Common Transfer Files, record leavers", A, N, N, N, N
    ),
    Action.EDIT_SUPPORT_PLANS: _row("write and review support plans", A, N, N, N, N),
    Action.MANAGE_INTERVENTIONS: _row("set up interventions, groups and enrolments", A, N, N, N, N),
    Action.RECORD_PROGRESS: _row("record attendance and attainment", A, N, N, N, N),
    Action.EDIT_AGENCY_ADVICE: _row("record agency involvement", A, N, N, N, N),
    Action.MANAGE_DOCUMENTS: _row("add, remove or reclassify evidence documents", A, N, N, N, N),
    Action.MANAGE_ACCESS_ARRANGEMENTS: _row(
        "assess, propose, approve and change access arrangements", A, N, N, N, N
    ),
    Action.MANAGE_EHC: _row("record EHC requests, plans and reviews", A, N, N, N, N),
    Action.BUILD_PACK: _row("build EHC needs assessment request packs", A, N, N, N, N),
    Action.CHECK_CENSUS: _row("check the register against the census rules", A, N, N, N, N),
    Action.MANAGE_STAFF: _row("manage staff accounts", A, N, N, N, N),
    Action.CHANGE_SETTINGS: _row("change the school's settings", A, N, N, N, N),
    Action.READ_AUDIT: _row("read and export the audit trail", A, N, N, N, N),
}

FIGURES_ONLY: frozenset[Action] = frozenset({Action.VIEW_SCHOOL_FIGURES, Action.VIEW_SCHOOL_COSTS})
"""Actions that show no pupil by name (small counts suppressed): a scope does not apply."""

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.SENCO: frozenset({Scope.ALL}),
    Role.TEACHER: frozenset({Scope.TAUGHT, Scope.MINE, Scope.NONE}),
    Role.LEARNING_SUPPORT: frozenset({Scope.MINE, Scope.NONE}),
    Role.EXAMS_OFFICER: frozenset({Scope.ALL, Scope.NONE}),
    Role.READ_ONLY: frozenset({Scope.ALL, Scope.NONE}),
}
"""The scopes each role's cells about named pupils may hold (a test checks the table). A teacher
may lead an intervention group too: they log its sessions and measures (MINE)."""


def scope_of(role: Role, action: Action) -> Scope:
    """The pupils ``role`` may take ``action`` on (NONE: refused)."""
    return PERMISSIONS[action].scopes[role]


def allowed(role: Role, action: Action) -> bool:
    """Whether ``role`` may take ``action`` on at least some pupils."""
    return scope_of(role, action) is not Scope.NONE


def refusal(role: Role, action: Action) -> str:
    """The one sentence a refused user reads."""
    return f"{ROLE_LABELS[role]} accounts cannot {PERMISSIONS[action].doing}; ask the SENCo."


def out_of_scope(role: Role, action: Action) -> str:
    """The sentence for a pupil outside the user's scope."""
    whose = {
        Scope.TAUGHT: "the pupils they teach",
        Scope.MINE: "the groups they lead and the pupils assigned to them",
    }.get(scope_of(role, action), "no pupils")
    return (
        f"{ROLE_LABELS[role]} accounts can {PERMISSIONS[action].doing} only for {whose}; "
        "this is not one of them — ask the SENCo."
    )


def markdown_table() -> str:
    """The README's roles table, made from :data:`PERMISSIONS` (a test compares them)."""
    head = "| What | " + " | ".join(ROLE_LABELS[r] for r in _ROLES) + " |"
    rule = "|---|" + "---|" * len(_ROLES)
    lines = [head, rule]
    for permission in PERMISSIONS.values():
        cells = " | ".join(SCOPE_WORDS[permission.scopes[r]] for r in _ROLES)
        what = permission.doing[0].upper() + permission.doing[1:]
        lines.append(f"| {what} | {cells} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - prints the README's table
    print(markdown_table())
