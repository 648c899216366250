# ruff: noqa: S608 - DDL cannot take bind parameters: every name in it is a constant of this
# module or quoted with _q (the schema, database and group names); user input (usernames,
# passwords) only ever travels as bind parameters or a psycopg Literal.
"""On PostgreSQL, the database enforces the permission table too (issue 13).

Why: the services check every action against :mod:`sendesk.rules.permissions`, but on a
server the office PCs used to share one credential that could read and rewrite
everything: anyone who copied it into ``psql`` bypassed the app. So on PostgreSQL:

- every SENDesk user is a login role ``sendesk_<username>`` with that user's password
  (a SCRAM verifier computed on the PC: the plain password never reaches the server's
  logs), and the app connects as that login (:func:`user_url`);
- each SENDesk role is a group role, named per database (:func:`group_name`: two schools
  on one server never share a group), and each login is a member of exactly one group;
- the groups get GRANTs and row-level-security policies made from the same table
  (:data:`TABLES`): a teacher's login reads only the pupils they teach, no EHC rows, no
  agency advice or document marked SENCo only; read-only reads no pupil rows at all;
- audit events are INSERT only for every login, the SENCo's included; a trigger refuses
  UPDATE, DELETE and TRUNCATE to anyone but the schema owner, and another makes a login's
  new event follow the chain's head (under the app's own advisory lock).

What needs no pupil row gets a function instead of a grant: read-only's anonymised
figures come from ``sendesk_register_figures()`` (counts by year group, provision and
primary need; the statistics service suppresses small counts before showing them).

The schema owner (the account ``sendesk init --db postgresql+psycopg://OWNER@HOST/DB``
connects as) owns the tables, so it bypasses row-level security and runs the migrations;
it needs CREATEROLE to make the group roles and the logins. :func:`apply` is idempotent
and runs after the schema is made and after every migration, so a new table never stays
readable by the wrong group (a table missing from :data:`TABLES` is refused to every
group: fail closed, and a test checks every model table is listed).

Managing logins: the SENCo's login is *not* given CREATEROLE. On PostgreSQL 15 and older
CREATEROLE lets a role alter any non-superuser role — the schema owner's password
included, and grant itself membership in any role — so it would make every SENCo a
potential owner. Instead the owner's SECURITY DEFINER function ``sendesk_sync_login``
does the work: it acts only for members of this school's SENCo group (or the owner),
only on ``sendesk_``-prefixed logins that are this school's (or new), never on a
superuser, and only with a SCRAM verifier. Users change their own password with ``ALTER
ROLE CURRENT_USER``, which PostgreSQL allows every role.

Scope in SQL mirrors :func:`sendesk.services.scope.pupils_in_scope`:
``sendesk_pupils_of(login)`` is SECURITY DEFINER (it reads the teaching groups, groups
and assignments the caller cannot all see) and answers only for a login the session is
(or may become: ``pg_has_role(session_user, login, 'MEMBER')``), so nobody can list
another member of staff's pupils. Inside a SECURITY DEFINER function ``current_user`` is
the owner, so the policies call the invoker's wrappers ``sendesk_pupils_in_scope()`` and
``sendesk_pupil_visible(pupil_id)``, which pass the caller's ``current_user`` in. Every
function pins ``search_path`` to ``pg_catalog, pg_temp`` and names the schema's tables in
full, so a caller's own objects can never stand in for ours.

Appending to the audit chain needs the chain's last hash and length, but a teacher may
not read everyone's audit events: ``sendesk_audit_head()`` (SECURITY DEFINER) returns
exactly those two values and nothing else (:mod:`sendesk.services.store.audit` calls it on a
secured database). Row-level security on ``audit_event`` still lets each login read its
own events (an INSERT … RETURNING needs that), and inserts are only in the login's name.

Names: group roles are ``sendesk:<database>:<role>`` (per database, so two schools on one
server never share one); logins are the server's, ``sendesk_<username>``, so two schools
on one server need different usernames (the second is refused in one sentence), and each
school's database refuses CONNECT to every login but its own groups'.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sendesk.db import Target
from sendesk.errors import PermissionDeniedError, SendeskError, ValidationError
from sendesk.roles import Role

AUDIT_LOCK_KEY = 0x5E0D_A0D1
"""services/store/audit.py's advisory lock (repeated: that module imports the models)."""

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.orm import Session

    from sendesk.db import Database

LOGIN_PREFIX = "sendesk_"
"""Every SENDesk login role's name is this and the username."""
MAX_NAME = 63
"""PostgreSQL cuts longer role names silently (NAMEDATALEN - 1 bytes): refuse instead."""

S, T, L, E, R = (
    Role.SENCO,
    Role.TEACHER,
    Role.LEARNING_SUPPORT,
    Role.EXAMS_OFFICER,
    Role.READ_ONLY,
)
EVERYONE = (S, T, L, E, R)

# --- names -----------------------------------------------------------------------------


def login_name(username: str) -> str:
    """The PostgreSQL login of a SENDesk user; one sentence if it would be too long."""
    name = LOGIN_PREFIX + username.strip()
    if len(name.encode("utf-8")) > MAX_NAME:
        raise ValidationError(
            f"On PostgreSQL a username may have at most {MAX_NAME - len(LOGIN_PREFIX)} "
            "bytes (it becomes the server login sendesk_<username>)."
        )
    return name


def group_name(database: str, role: Role) -> str:
    """The group role of ``role`` in the database called ``database``.

    ``sendesk:<database>:<role>``: the colon cannot start a login's name (those are
    ``sendesk_…``), and the database's name keeps two schools on one server apart. A name
    that would be too long uses a hash of the database's name instead.
    """
    name = f"sendesk:{database}:{role.value}"
    if len(name.encode("utf-8")) > MAX_NAME:
        digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:16]
        name = f"sendesk:{digest}:{role.value}"
    return name


def user_url(url: URL, username: str, password: str) -> URL:
    """The server URL with the user's own login and password (the server checks it)."""
    return url.set(username=login_name(username), password=password)


def needs_login(target: Target) -> bool:
    """A server URL that names no account: the app and the command line connect as the
    signing-in user's own login. A URL naming one (the owner) connects as that account."""
    return target.path is None and target.url.username is None


def open_as(target: Target, username: str, password: str, *, upgrade: bool = True) -> Database:
    """Open the server database as ``username``'s login, with their password: the server
    checks it (SCRAM). A refusal is one sentence, the same vague one as a wrong password in
    the app for an unknown user too; a disabled account's login is NOLOGIN."""
    from sendesk.services.store.opening import open_database

    if not username.strip():
        raise SendeskError("The username or password is wrong.")
    url = user_url(target.url, username, password)
    try:
        return open_database(Target(None, url), upgrade=upgrade)
    except SendeskError as exc:
        text = str(exc)
        if "password authentication failed" in text:
            raise SendeskError("The username or password is wrong.") from None
        if "is not permitted to log in" in text:
            raise SendeskError("This account has been disabled: ask the SENCo.") from None
        raise


def connected_as(db: Database, username: str) -> bool:
    """True when ``db`` is a server connection made as ``username``'s own login: the
    server has then checked the password (SCRAM) before SENDesk saw anything."""
    if db.is_file:
        return False
    url = db.target.url
    return url.username == LOGIN_PREFIX + username.strip()


# --- the table ---------------------------------------------------------------------------

IN_SCOPE = "pupil_id IN (SELECT {schema}.sendesk_pupils_in_scope())"
ME = "{schema}.sendesk_user_id()"
MY_GROUPS = f"(SELECT id FROM {{schema}}.intervention_group WHERE staff_id = {ME})"
STAFF_LEVEL = "confidentiality = 'staff'"


@dataclass(frozen=True)
class Rule:
    """What one group may do with one table.

    ``read``: the row filter for SELECT ("true": every row); absent means no SELECT.
    ``columns``: SELECT only these columns (the rest of the row stays hidden).
    ``insert``/``update``/``delete``: the row filter for each write; absent means refused.
    ``update_columns``: UPDATE only these columns.
    """

    read: str | None = None
    columns: tuple[str, ...] | None = None
    insert: str | None = None
    update: str | None = None
    update_columns: tuple[str, ...] | None = None
    delete: str | None = None


@dataclass(frozen=True)
class TableRules:
    """Each group's :class:`Rule` for a table; ``rls`` False for tables with no pupil or
    person rows, where the GRANT alone says enough."""

    rules: Mapping[Role, Rule]
    rls: bool = True
    senco_writes: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _scoped(*, exams: bool = False) -> dict[Role, Rule]:
    """Pupil-linked rows: the SENCo all, a teacher their pupils, learning support theirs
    (and the exams officer all, for what their list and the arrangements need)."""
    rules = {S: Rule("true"), T: Rule(IN_SCOPE), L: Rule(IN_SCOPE)}
    if exams:
        rules[E] = Rule("true")
    return rules


def _via(parent_filter: str, *, exams: bool = False) -> dict[Role, Rule]:
    """Rows that belong to a pupil through a parent table: visible when the parent row is
    (the subquery runs under the parent's own policies, as the same login)."""
    rules = {S: Rule("true"), T: Rule(parent_filter), L: Rule(parent_filter)}
    if exams:
        rules[E] = Rule("true")
    return rules


_USER_COLUMNS = (
    "id",
    "username",
    "display_name",
    "role",
    "active",
    "must_change_password",
    "failed_sign_ins",
    "last_failed_sign_in_at",
    "staff_code",
    "created_at",
    "version",
)
"""What everyone may read of the staff list: names for "logged by", never password hashes."""
_OWN_ACCOUNT = f"'{LOGIN_PREFIX}' || username = current_user AND active"
_OWN_UPDATE = (
    "password_hash",
    "must_change_password",
    "failed_sign_ins",
    "last_failed_sign_in_at",
    "version",
)
_ENROLMENT_IN_MY_GROUP = (
    f"enrolment_id IN (SELECT id FROM {{schema}}.enrolment WHERE group_id IN {MY_GROUPS})"
)
_STAFF_LEVEL_IN_SCOPE = f"{STAFF_LEVEL} AND {IN_SCOPE}"

TABLES: dict[str, TableRules] = {
    # -- the school and its settings: everyone reads; the SENCo writes.
    "school": TableRules({r: Rule("true") for r in EVERYONE}, rls=False),
    "setting": TableRules({r: Rule("true") for r in EVERYONE}, rls=False),
    "alembic_version": TableRules(
        {r: Rule("true") for r in EVERYONE}, rls=False, senco_writes=False
    ),
    "la_profile": TableRules({S: Rule("true")}, rls=False),
    # -- people
    "user_account": TableRules(
        {
            S: Rule("true"),
            **{
                r: Rule(
                    "true",
                    columns=_USER_COLUMNS,
                    update=_OWN_ACCOUNT,
                    update_columns=_OWN_UPDATE,
                )
                for r in (T, L, E, R)
            },
        }
    ),
    "pupil_assignment": TableRules(
        {S: Rule("true"), T: Rule(f"user_id = {ME}"), L: Rule(f"user_id = {ME}")}
    ),
    # -- pupils and everything about them
    "pupil": TableRules(
        {
            S: Rule("true"),
            T: Rule("id IN (SELECT {schema}.sendesk_pupils_in_scope())"),
            L: Rule("id IN (SELECT {schema}.sendesk_pupils_in_scope())"),
            E: Rule("true"),
        }
    ),
    "need_profile": TableRules(_scoped()),
    "contact": TableRules(_scoped()),
    "register_entry": TableRules(_scoped()),
    "need": TableRules(_scoped()),
    "support_plan": TableRules(_scoped()),
    "plan_outcome": TableRules(_via("plan_id IN (SELECT id FROM {schema}.support_plan)")),
    "planned_provision": TableRules(_via("plan_id IN (SELECT id FROM {schema}.support_plan)")),
    "attendance_record": TableRules(_scoped()),
    "attainment_snapshot": TableRules(_scoped()),
    "agency_involvement": TableRules(
        {S: Rule("true"), T: Rule(_STAFF_LEVEL_IN_SCOPE), L: Rule(_STAFF_LEVEL_IN_SCOPE)}
    ),
    "evidence_document": TableRules(
        {
            S: Rule("true"),
            # staff add work samples to a concern, in their own name, marked for staff
            **{
                r: Rule(
                    _STAFF_LEVEL_IN_SCOPE,
                    insert=f"{_STAFF_LEVEL_IN_SCOPE} AND concern_id IS NOT NULL "
                    f"AND added_by_id = {ME}",
                )
                for r in (T, L)
            },
        }
    ),
    # -- causes for concern: the staff who work with the pupil raise them and add evidence
    # (a step in their own name); the SENCo decides.
    "concern": TableRules(
        {
            S: Rule("true"),
            **{
                r: Rule(
                    IN_SCOPE,
                    insert=f"{IN_SCOPE} AND raised_by_id = {ME}",
                    update=IN_SCOPE,
                    update_columns=("status", "version"),
                )
                for r in (T, L)
            },
        }
    ),
    "concern_step": TableRules(
        {
            S: Rule("true"),
            **{
                r: Rule(
                    "concern_id IN (SELECT id FROM {schema}.concern)",
                    insert=f"concern_id IN (SELECT id FROM {{schema}}.concern) AND by_id = {ME}",
                )
                for r in (T, L)
            },
        }
    ),
    # -- review meetings with parents, who came and what they said; the pupil's own
    # profile: the SENCo writes, the staff who work with the pupil read.
    "review_meeting": TableRules(_scoped()),
    "meeting_person": TableRules(_via("meeting_id IN (SELECT id FROM {schema}.review_meeting)")),
    "pupil_profile": TableRules(_scoped()),
    # -- interventions: the catalogue and groups hold no pupil; enrolments do.
    "intervention": TableRules({S: Rule("true"), T: Rule("true"), L: Rule("true")}, rls=False),
    "intervention_group": TableRules(
        {S: Rule("true"), T: Rule("true"), L: Rule("true")}, rls=False
    ),
    "enrolment": TableRules(
        {
            S: Rule("true"),
            T: Rule(IN_SCOPE),
            L: Rule(
                IN_SCOPE,
                update=f"group_id IN {MY_GROUPS}",
                # "record entry and exit measures" (the permission table), and ending
                # the enrolment with the exit; never which group or pupil it is.
                update_columns=(
                    "entry_measure",
                    "entry_date",
                    "end_date",
                    "exit_measure",
                    "exit_date",
                    "version",
                ),
            ),
        }
    ),
    "measurement": TableRules(
        {
            S: Rule("true"),
            T: Rule("enrolment_id IN (SELECT id FROM {schema}.enrolment)"),
            L: Rule(
                "enrolment_id IN (SELECT id FROM {schema}.enrolment)",
                insert=_ENROLMENT_IN_MY_GROUP,
            ),
        }
    ),
    "delivered_session": TableRules(
        {
            S: Rule("true"),
            T: Rule("group_id IN (SELECT group_id FROM {schema}.enrolment)"),
            L: Rule(
                f"group_id IN {MY_GROUPS} "
                "OR group_id IN (SELECT group_id FROM {schema}.enrolment)",
                insert=f"group_id IN {MY_GROUPS} AND logged_by_id = {ME}",
                update=f"group_id IN {MY_GROUPS}",
                update_columns=(
                    "delivered",
                    "not_delivered_reason",
                    "minutes",
                    "logged_by_id",
                    "logged_at",
                ),
            ),
        }
    ),
    "session_attendance": TableRules(
        {
            S: Rule("true"),
            T: Rule("enrolment_id IN (SELECT id FROM {schema}.enrolment)"),
            L: Rule(
                "enrolment_id IN (SELECT id FROM {schema}.enrolment)",
                insert=_ENROLMENT_IN_MY_GROUP,
                delete=_ENROLMENT_IN_MY_GROUP,
            ),
        }
    ),
    # -- classes: a teacher their own, and the classes of the pupils they work with (the
    # access arrangements' "subjects taught" show them, to learning support too).
    "teaching_group": TableRules(
        {
            S: Rule("true"),
            T: Rule(
                f"teacher_id = {ME} "
                "OR id IN (SELECT group_id FROM {schema}.teaching_group_member)"
            ),
            L: Rule("id IN (SELECT group_id FROM {schema}.teaching_group_member)"),
        }
    ),
    "teaching_group_member": TableRules(_scoped()),
    # -- access arrangements: the exams officer sees every candidate's.
    "access_assessment": TableRules(_scoped(exams=True)),
    "assessment_score": TableRules(
        _via("assessment_id IN (SELECT id FROM {schema}.access_assessment)", exams=True)
    ),
    "access_arrangement": TableRules(_scoped(exams=True)),
    "exam_entry": TableRules(_scoped(exams=True)),
    "nww_evidence": TableRules(
        {
            S: Rule("true"),
            T: Rule(
                "arrangement_id IN (SELECT id FROM {schema}.access_arrangement)",
                insert=(
                    "arrangement_id IN (SELECT id FROM {schema}.access_arrangement) "
                    f"AND recorded_by_id = {ME}"
                ),
                delete=f"recorded_by_id = {ME}",
            ),
            L: Rule("arrangement_id IN (SELECT id FROM {schema}.access_arrangement)"),
            E: Rule("true"),
        }
    ),
    # -- EHC: requests and where a case stands the SENCo only; the issued plan and its
    # reviews for the staff who work with the pupil ("see issued EHC plans and their
    # reviews" in the permission table).
    "ehc_request": TableRules({S: Rule("true")}),
    "ehc_clock_exception": TableRules({S: Rule("true")}),
    "ehc_plan": TableRules(_scoped()),
    "annual_review": TableRules(_via("plan_id IN (SELECT id FROM {schema}.ehc_plan)")),
    # -- the audit trail: everyone appends in their own name; only the SENCo reads it all;
    # nobody updates or deletes (no grant, and the trigger for belt and braces).
    "audit_event": TableRules(
        {
            S: Rule("true", insert=f"user_id = {ME}"),
            **{r: Rule(f"user_id = {ME}", insert=f"user_id = {ME}") for r in (T, L, E, R)},
        },
        senco_writes=False,
    ),
}
"""Every table of the schema and what each group may do with it (see :class:`Rule`)."""

# A teacher who leads an intervention group logs its sessions and records its measures as
# learning support do ("groups they lead" in the permission table): the same rules.
for _name in ("enrolment", "measurement", "delivered_session", "session_attendance"):
    _rules = TABLES[_name]
    TABLES[_name] = TableRules({**_rules.rules, T: _rules.rules[L]}, _rules.rls)


# --- SQL ---------------------------------------------------------------------------------


def _q(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    """A quoted string literal."""
    return "'" + text.replace("'", "''") + "'"


def _functions(schema: str, groups: Mapping[Role, str]) -> list[str]:
    """The functions the policies, the audit writer and login management use."""
    s = _q(schema)
    group_array = "ARRAY[" + ", ".join(_lit(groups[r]) for r in Role) + "]"
    role_array = "ARRAY[" + ", ".join(_lit(r.value) for r in Role) + "]"
    prefix = _lit(LOGIN_PREFIX)
    safe = "SET search_path = pg_catalog, pg_temp"
    return [
        # The caller's account id (NULL for anyone who is not an active SENDesk login).
        # Invoker's rights: everyone may read user_account's names, so no definer needed.
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_user_id() RETURNS integer
            LANGUAGE sql STABLE {safe} AS $$
            SELECT u.id FROM {s}.user_account u
            WHERE {prefix} || u.username = current_user AND u.active $$""",
        # The pupils a login works with: services/scope.py's pupils_in_scope in SQL.
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_pupils_of(login name)
            RETURNS SETOF integer LANGUAGE sql STABLE SECURITY DEFINER {safe} AS $$
            WITH me AS (
                SELECT u.id, u.role FROM {s}.user_account u
                WHERE {prefix} || u.username = login AND u.active
                  AND pg_has_role(session_user, login, 'MEMBER'))
            SELECT p.id FROM {s}.pupil p JOIN me ON me.role = 'senco'
            UNION
            SELECT m.pupil_id FROM {s}.teaching_group_member m
              JOIN {s}.teaching_group g ON g.id = m.group_id
              JOIN me ON me.id = g.teacher_id AND me.role = 'teacher'
            UNION
            SELECT e.pupil_id FROM {s}.enrolment e
              JOIN {s}.intervention_group g ON g.id = e.group_id
              JOIN me ON me.id = g.staff_id AND me.role IN ('learning_support', 'teacher')
            UNION
            SELECT a.pupil_id FROM {s}.pupil_assignment a
              JOIN me ON me.id = a.user_id AND me.role IN ('learning_support', 'teacher') $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_pupils_in_scope()
            RETURNS SETOF integer LANGUAGE sql STABLE {safe} AS $$
            SELECT {s}.sendesk_pupils_of(current_user) $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_pupil_visible(pupil_id integer)
            RETURNS boolean LANGUAGE sql STABLE {safe} AS $$
            SELECT EXISTS (SELECT 1 FROM {s}.sendesk_pupils_of(current_user) AS p(id)
                           WHERE p.id = $1) $$""",
        # The chain's length and newest hash, for appending without reading the events.
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_audit_head(OUT length bigint, OUT head text)
            LANGUAGE sql STABLE SECURITY DEFINER {safe} AS $$
            SELECT (SELECT count(*) FROM {s}.audit_event),
                   (SELECT a.hash FROM {s}.audit_event a ORDER BY a.id DESC LIMIT 1) $$""",
        # The anonymised figures' raw counts, for read-only: no pupil row, id or name, only
        # how many pupils share a year, a provision and a primary need (the statistics
        # service suppresses the small ones before anything is shown).
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_register_figures()
            RETURNS TABLE (year_group integer, provision text, first_need text, pupils bigint)
            LANGUAGE sql STABLE SECURITY DEFINER {safe} AS $$
            SELECT p.year_group, e.provision::text, n.code::text, count(*)
            FROM {s}.pupil p
            LEFT JOIN {s}.register_entry e
              ON e.pupil_id = p.id AND e.end_date IS NULL AND e.voided_at IS NULL
            LEFT JOIN LATERAL (
              SELECT x.code FROM {s}.need x WHERE x.pupil_id = p.id AND x.end_date IS NULL
              ORDER BY x.rank, x.id LIMIT 1) n ON true
            GROUP BY 1, 2, 3 $$""",
        # Refuses UPDATE, DELETE and TRUNCATE of audit events to all but the table's owner.
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_audit_guard() RETURNS trigger
            LANGUAGE plpgsql {safe} AS $$
            BEGIN
              IF current_user <> (SELECT pg_get_userbyid(c.relowner) FROM pg_class c
                                  WHERE c.oid = TG_RELID) THEN
                RAISE EXCEPTION 'audit events are never changed or deleted'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END $$""",
        # A login's event goes at the end of the chain: after the app's own advisory lock
        # (taken here too, so psql cannot race the app), its prev_hash must be the head.
        # A fork or a gap would be detected by verify anyway; this refuses it outright.
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_audit_append() RETURNS trigger
            LANGUAGE plpgsql {safe} AS $$
            BEGIN
              IF current_user = (SELECT pg_get_userbyid(c.relowner) FROM pg_class c
                                 WHERE c.oid = TG_RELID) THEN
                RETURN NEW;
              END IF;
              PERFORM pg_advisory_xact_lock({AUDIT_LOCK_KEY});
              IF NEW.prev_hash IS DISTINCT FROM coalesce(
                  (SELECT h.head FROM {s}.sendesk_audit_head() h), repeat('0', 64)) THEN
                RAISE EXCEPTION 'an audit event must follow the newest one'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              RETURN NEW;
            END $$""",
        # Creates or changes a user's login: for the SENCo's group and the owner only.
        f"""CREATE OR REPLACE FUNCTION {s}.sendesk_sync_login(
                p_username text, p_role text, p_active boolean, p_verifier text)
            RETURNS void LANGUAGE plpgsql SECURITY DEFINER {safe} AS $$
            DECLARE
              groups text[] := {group_array};
              roles text[] := {role_array};
              login text := {prefix} || p_username;
              target text;
              existing pg_roles%ROWTYPE;
              g text;
            BEGIN
              IF NOT (pg_has_role(session_user, groups[1], 'MEMBER')
                      OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
                RAISE EXCEPTION 'only the SENCo manages staff logins'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF array_position(roles, p_role) IS NULL THEN
                RAISE EXCEPTION 'not a SENDesk role' USING ERRCODE = 'invalid_parameter_value';
              END IF;
              target := groups[array_position(roles, p_role)];
              -- Only the login of an account as the table has it: never a login with no
              -- account behind it, nor a role or state the account does not have.
              IF NOT EXISTS (SELECT 1 FROM {s}.user_account u WHERE u.username = p_username
                             AND u.role = p_role AND u.active = p_active) THEN
                RAISE EXCEPTION 'the login must match a SENDesk account'
                  USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF octet_length(login) > {MAX_NAME} THEN
                RAISE EXCEPTION 'login name too long' USING ERRCODE = 'invalid_parameter_value';
              END IF;
              IF p_verifier IS NOT NULL AND p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
                RAISE EXCEPTION 'passwords are set as SCRAM verifiers only'
                  USING ERRCODE = 'invalid_parameter_value';
              END IF;
              SELECT * INTO existing FROM pg_roles WHERE rolname = login;
              IF NOT FOUND THEN
                EXECUTE format('CREATE ROLE %I NOLOGIN', login);
              ELSIF existing.rolsuper OR NOT EXISTS (
                  SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                  WHERE m.member = existing.oid AND r.rolname = ANY (groups)) THEN
                RAISE EXCEPTION 'the role % exists and is not this school''s login', login
                  USING ERRCODE = 'duplicate_object';
              END IF;
              FOREACH g IN ARRAY groups LOOP
                IF g <> target AND EXISTS (
                    SELECT 1 FROM pg_auth_members m
                    JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                    WHERE r.rolname = g AND u.rolname = login) THEN
                  EXECUTE format('REVOKE %I FROM %I', g, login);
                END IF;
              END LOOP;
              IF NOT pg_has_role(login, target, 'MEMBER') THEN
                EXECUTE format('GRANT %I TO %I', target, login);
              END IF;
              IF p_verifier IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I PASSWORD %L', login, p_verifier);
              END IF;
              EXECUTE format('ALTER ROLE %I %s', login,
                             CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
            END $$""",
    ]


def _policy_sql(schema: str, table: str, spec: TableRules, groups: Mapping[Role, str]) -> list[str]:
    """GRANTs and policies for one table, after every old one was taken away."""
    s, t = _q(schema), f"{_q(schema)}.{_q(table)}"
    out: list[str] = []
    if spec.rls:
        out.append(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
    else:
        out.append(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
    for role in Role:
        group = _q(groups[role])
        rule = spec.rules.get(role)
        if role is S and spec.senco_writes:
            rule = Rule("true", insert="true", update="true", delete="true")
        if rule is None:
            continue
        checks = {
            "SELECT": rule.read,
            "INSERT": rule.insert,
            "UPDATE": rule.update,
            "DELETE": rule.delete,
        }
        for command, where in checks.items():
            if where is None:
                continue
            cols = rule.columns if command == "SELECT" else rule.update_columns
            if command in ("SELECT", "UPDATE") and cols is not None:
                listed = ", ".join(_q(c) for c in cols)
                out.append(f"GRANT {command} ({listed}) ON {t} TO {group}")
            else:
                out.append(f"GRANT {command} ON {t} TO {group}")
            if not spec.rls:
                continue
            if where == "true" and table != "user_account":
                # Every row, for an active SENDesk account only: a login whose account
                # was disabled or removed behind the app's back reads nothing. (Not on
                # user_account itself, which sendesk_user_id() reads.)
                where = f"{ME} IS NOT NULL"
            expr = where.format(schema=s)
            name = _q(f"sendesk_{role.value}_{command.lower()}")
            if command == "INSERT":
                clause = f"WITH CHECK ({expr})"
            elif command == "UPDATE":
                clause = f"USING ({expr}) WITH CHECK ({expr})"
            else:
                clause = f"USING ({expr})"
            out.append(f"CREATE POLICY {name} ON {t} FOR {command} TO {group} {clause}")
    return out


# --- applying ----------------------------------------------------------------------------


def _schema_and_database(conn: Connection) -> tuple[str, str, str]:
    from sqlalchemy import text

    row = conn.execute(text("SELECT current_schema(), current_database(), current_user")).one()
    return str(row[0]), str(row[1]), str(row[2])


def groups_of(database: str) -> dict[Role, str]:
    """Every SENDesk role's group role in ``database``."""
    return {role: group_name(database, role) for role in Role}


def apply(engine: Engine) -> None:
    """Make (or remake) the group roles, GRANTs, policies, functions and the audit
    trigger, as the schema owner, in one transaction: idempotent, so it runs after the
    schema is made and after every migration. Logins are left as they are."""
    from sqlalchemy import inspect, text

    with engine.begin() as conn:
        schema, database, _owner = _schema_and_database(conn)
        groups = groups_of(database)
        # Two owners' set-ups at once would race on CREATE ROLE; one at a time.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('sendesk_pg_security'))"))
        existing = set(
            conn.scalars(
                text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"),
                {"names": list(groups.values())},
            )
        )
        statements: list[str] = [
            f"CREATE ROLE {_q(g)} NOLOGIN NOINHERIT" for g in groups.values() if g not in existing
        ]
        db, s = _q(database), _q(schema)
        everyone = ", ".join(_q(g) for g in groups.values())
        statements += [
            f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {db} TO {everyone}",
            f"GRANT USAGE ON SCHEMA {s} TO {everyone}",
            # No login makes objects of its own that could stand in for SENDesk's
            # (PostgreSQL 15's default; a database made by an older server had it).
            f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC, {everyone}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM PUBLIC, {everyone}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {everyone}",
        ]
        statements += _functions(schema, groups)
        statements += [
            f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM PUBLIC",
            f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {everyone}",
            # The school's figures: the SENCo and read-only (the permission table).
            f"REVOKE EXECUTE ON FUNCTION {s}.sendesk_register_figures() FROM {everyone}",
            f"GRANT EXECUTE ON FUNCTION {s}.sendesk_register_figures() "
            f"TO {_q(groups[S])}, {_q(groups[R])}",
        ]
        tables = set(inspect(conn).get_table_names(schema=schema))
        policies = conn.execute(
            text("SELECT tablename, policyname FROM pg_policies WHERE schemaname = :s"),
            {"s": schema},
        ).all()
        statements += [
            f"DROP POLICY {_q(name)} ON {s}.{_q(table)}"
            for table, name in policies
            if name.startswith("sendesk_")
        ]
        for table in sorted(tables):
            spec = TABLES.get(table)
            if spec is None:  # a table this SENDesk does not know: nobody but the owner
                statements.append(f"ALTER TABLE {s}.{_q(table)} ENABLE ROW LEVEL SECURITY")
                continue
            statements += _policy_sql(schema, table, spec, groups)
        audit = f"{s}.audit_event"
        statements += [
            f"DROP TRIGGER IF EXISTS sendesk_audit_guard ON {audit}",
            f"DROP TRIGGER IF EXISTS sendesk_audit_guard_truncate ON {audit}",
            f"DROP TRIGGER IF EXISTS sendesk_audit_append ON {audit}",
            f"CREATE TRIGGER sendesk_audit_append BEFORE INSERT ON {audit} "
            f"FOR EACH ROW EXECUTE FUNCTION {s}.sendesk_audit_append()",
            f"CREATE TRIGGER sendesk_audit_guard BEFORE UPDATE OR DELETE ON {audit} "
            f"FOR EACH ROW EXECUTE FUNCTION {s}.sendesk_audit_guard()",
            f"CREATE TRIGGER sendesk_audit_guard_truncate BEFORE TRUNCATE ON {audit} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.sendesk_audit_guard()",
        ]
        for statement in statements:
            conn.exec_driver_sql(statement.replace("%", "%%"))


def check_owner(target: Target) -> None:
    """Refuse, before anything is created, an owner account that cannot make the roles
    (``sendesk init`` would otherwise leave a school with no logins). A connection that
    fails is left for the caller to report."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(target.url, hide_parameters=True)
    try:
        with engine.connect() as conn:
            can = conn.execute(
                text("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar()
    except DBAPIError:
        return
    finally:
        engine.dispose()
    if not can:
        raise SendeskError(
            f"The account {target.url.username or 'connecting'} cannot create roles, which "
            "SENDesk needs for each member of staff's login: give it CREATEROLE (ALTER ROLE "
            "… CREATEROLE) and run init again; nothing was created."
        )


def is_secured(conn: Connection | Session) -> bool:
    """True when :func:`apply` has run on this database (its functions exist)."""
    from sqlalchemy import text

    bind = conn.get_bind() if hasattr(conn, "get_bind") else conn
    if bind.dialect.name != "postgresql":
        return False
    found = conn.execute(text("SELECT to_regproc('sendesk_audit_head') IS NOT NULL")).scalar()
    return bool(found)


# --- logins ------------------------------------------------------------------------------


def register_figures(session: Session) -> list[tuple[int | None, str | None, str | None, int]]:
    """(year group, open provision, primary need, how many pupils) from the database's
    own function: what read-only's anonymised figures need, and no pupil row."""
    from sqlalchemy import text

    rows = session.execute(
        text("SELECT year_group, provision, first_need, pupils FROM sendesk_register_figures()")
    )
    return [(y, p, n, int(c)) for y, p, n, c in rows]


def scram_verifier(session: Session, username: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password`` for ``username``'s login, computed by
    libpq on this PC: the server stores it, and the password itself is never sent."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    verifier = raw.pgconn.encrypt_password(
        password.encode("utf-8"), login_name(username).encode("utf-8"), b"scram-sha-256"
    )
    return bytes(verifier).decode("ascii")


def sync_login(
    session: Session,
    username: str,
    role: Role | str,
    active: bool,
    password: str | None = None,
) -> None:
    """Make ``username``'s login match their account, in the caller's transaction (a
    rollback undoes it): member of their role's group only, LOGIN while active, and the
    password when one is given. Nothing happens on a database :func:`apply` never ran on
    (a file, or a server database set up without roles)."""
    from sqlalchemy import text

    if not is_secured(session):
        return
    from sqlalchemy.exc import DBAPIError

    login = login_name(username)  # one sentence if too long
    verifier = scram_verifier(session, username, password) if password is not None else None
    try:
        session.execute(
            text("SELECT sendesk_sync_login(:u, :r, :a, :v)"),
            {"u": username.strip(), "r": Role(role).value, "a": active, "v": verifier},
        )
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if state == "42710":  # duplicate_object: the name is taken on this server
            raise ValidationError(
                f"The server already has a login called {login} that is not this school's "
                "(another school's SENDesk on the same server?): choose another username."
            ) from None
        if state == "42501":
            raise PermissionDeniedError(
                "Only a SENCo's login can change staff logins on the server."
            ) from None
        raise


def set_own_password(session: Session, username: str, password: str) -> None:
    """A user changes their own login's password (every role may, PostgreSQL allows it)."""
    from psycopg import sql

    raw = session.connection().connection.driver_connection
    assert raw is not None
    verifier = scram_verifier(session, username, password)
    with raw.cursor() as cur:
        cur.execute(sql.SQL("ALTER ROLE CURRENT_USER PASSWORD {}").format(sql.Literal(verifier)))


def sync_all_logins(engine: Engine, passwords: Mapping[str, str] | None = None) -> list[str]:
    """Give every account a login (owner only: at ``sendesk init`` and after restoring a
    school). Accounts without a password in ``passwords`` get a login they cannot use
    until the SENCo sets their password. Returns the logins, in account order."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from sendesk.models import User

    passwords = passwords or {}
    with Session(engine) as s, s.begin():
        accounts = s.execute(select(User.username, User.role, User.active).order_by(User.id)).all()
        for username, role, active in accounts:
            sync_login(s, username, role, bool(active), passwords.get(username))
        return [login_name(u) for u, _r, _a in accounts]


def secure(db: Database, passwords: Mapping[str, str] | None = None) -> None:
    """:func:`apply`, then a login for every account: what ``sendesk init`` runs on a
    server (the owner's connection)."""
    apply(db.engine)
    sync_all_logins(db.engine, passwords)


def logins(usernames: Iterable[str]) -> list[str]:
    """The logins of ``usernames`` (for messages and tests)."""
    return [login_name(u) for u in usernames]


__all__ = [
    "LOGIN_PREFIX",
    "TABLES",
    "Rule",
    "TableRules",
    "apply",
    "check_owner",
    "connected_as",
    "group_name",
    "groups_of",
    "is_secured",
    "login_name",
    "needs_login",
    "open_as",
    "register_figures",
    "secure",
    "set_own_password",
    "sync_all_logins",
    "sync_login",
    "user_url",
]
