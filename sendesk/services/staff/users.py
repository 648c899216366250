"""Staff accounts: creating and managing them, passwords, and signing in.

The database key protects the data at rest; the account decides *who* is acting, so the
window shows what that role may use and the audit trail names the right person. Passwords
are stored as scrypt hashes (the standard library's, no extra dependency) at the cost
OWASP's Password Storage Cheat Sheet recommends today (N=2^17, r=8, p=1); a hash made
with weaker parameters is replaced at the next successful sign-in.

Wrong passwords are slowed down per account (issue 13): after :data:`FREE_FAILURES` in a
row each further attempt waits longer, counted in the database so that restarting the app
or the command line does not reset it. Every sign-in and every failure is audited, never
with the password that was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, undefer

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError, SendeskError, ValidationError
from sendesk.models import ROLE_LABELS, Pupil, PupilAssignment, Role, User, utcnow
from sendesk.rules.sentences import sentence
from sendesk.services.actor import Actor, login_name
from sendesk.services.common import add_audited, checked_text, refuse
from sendesk.services.permissions import Action, permit
from sendesk.services.store import pg_security
from sendesk.services.store.audit import AuditWriter, record

MIN_PASSWORD = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
"""OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1 (issue 12)."""

FREE_FAILURES = 5
"""Wrong passwords in a row before each further attempt has to wait (issue 13)."""
LONGEST_WAIT = timedelta(minutes=15)


class SignInWaitError(SendeskError):
    """Too many wrong passwords in a row: this attempt was refused without checking."""


def _maxmem(n: int, r: int, p: int) -> int:
    """scrypt needs 128·N·r bytes (128 MiB at today's cost); OpenSSL refuses above its
    32 MiB default unless told, so allow that plus room for the p lanes."""
    return 128 * n * r * (p + 2)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=_maxmem(n, r, p)
    )


def hash_password(password: str) -> str:
    """An scrypt hash with its own random salt, in a self-describing text form.

    Costs about half a second and 128 MiB: hashlib releases the GIL, so callers that make
    many (the demo school) can use threads.
    """
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def _parts(stored: str | None) -> tuple[int, int, int, bytes, str] | None:
    if not stored:
        return None
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return None
        return int(n), int(r), int(p), bytes.fromhex(salt), digest
    except ValueError:
        return None


def check_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time comparison)."""
    parts = _parts(stored)
    if parts is None:
        return False
    n, r, p, salt, digest = parts
    return hmac.compare_digest(_scrypt(password, salt, n, r, p).hex(), digest)


def needs_rehash(stored: str | None) -> bool:
    """True when the stored hash was made with weaker parameters than today's."""
    parts = _parts(stored)
    return parts is not None and (parts[0], parts[1], parts[2]) < (SCRYPT_N, SCRYPT_R, SCRYPT_P)


_DUMMY_HASH = (
    "scrypt$131072$8$1$7ca24be8c854958409879b70f6382ff8$"
    "07f8cd14dc99adce4b3290dec81e2c39cb54dae94c90ea1d68ba086e61c63e73"
)
"""A hash at today's cost of a random password nobody kept: checked against when there is
no real hash, so that refusing costs what checking costs. A constant, so that the first
refusal in a process (every command-line run) is not slower than the rest."""


def _dummy_check(password: str) -> None:
    """Spend what checking a real password costs, so that an unknown username (or an
    account with no password) takes as long to refuse as a wrong password."""
    check_password(_DUMMY_HASH, password)


def password_problem(password: str, again: str | None = None) -> str | None:
    """One sentence saying what is wrong with a new password, or None."""
    if len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if again is not None and again != password:
        return "The two passwords differ."
    return None


def wait_after(failures: int) -> timedelta:
    """How long after the last wrong password the next attempt must wait: nothing for the
    first :data:`FREE_FAILURES`, then 1, 2, 4… seconds, at most :data:`LONGEST_WAIT`."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    extra = failures - FREE_FAILURES
    if extra >= 20:  # 2^20 s is far beyond the cap; avoid huge numbers
        return LONGEST_WAIT
    return min(timedelta(seconds=2**extra), LONGEST_WAIT)


def _wait_words(wait: timedelta) -> str:
    seconds = max(1, int(-(-wait.total_seconds() // 1)))  # round up
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{-(-seconds // 60)} minutes"


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    has_password: bool
    must_change_password: bool = False
    staff_code: str | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


# --- signing in ----------------------------------------------------------------------------


def _nobody(username: str) -> Actor:
    """The actor of a failed sign-in under a name no account has (user id None)."""
    return Actor(0, username, username, Role.READ_ONLY, login_name())


def sign_in(db: Database, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """The actor for a username and password; one sentence when the sign-in is refused.

    A wrong username or password gives the same vague sentence and costs the same time.
    After :data:`FREE_FAILURES` wrong passwords in a row, an attempt before the wait is
    over is refused, saying how long to wait, without checking the password. A correct
    password resets the count and, if the stored hash is weaker than today's, replaces it.
    The outcome is audited ("sign_in" or "sign_in_failed" on the user), without the
    password. The password is checked before the write transaction starts, so half a
    second of scrypt never holds the database's write lock. ``now`` is for tests.

    On PostgreSQL connected as the user's own login (:mod:`~sendesk.services.store.pg_security`)
    the server has already checked the connection's password (SCRAM); that login may not
    read password hashes, so ``password`` is compared with the one the server accepted
    (the lock screen signs in again on the same connection: a wrong password there is a
    wrong password, counted and slowed down like any other).
    """
    now = now or utcnow()
    name = username.strip()
    by_server = pg_security.connected_as(db, name)
    with db.session() as s:
        query = select(User).where(User.username == name)
        if not by_server:
            query = query.options(undefer(User.password_hash))
        user = s.scalar(query) if name else None
        if user is not None:
            s.expunge(user)
    if user is None:
        _dummy_check(password)
        with db.transaction() as s:
            record(s, _nobody(name), "sign_in_failed", "user", None, {"reason": "unknown"})
        raise SendeskError("The username or password is wrong.")
    accepted = (db.target.url.password or "") if by_server else None
    outcome, refusal, new_hash = _check(user, password, now, accepted=accepted)
    with db.transaction() as s:
        row = s.get(User, user.id, with_for_update=True)  # two failures at once both count
        assert row is not None  # accounts are disabled, never deleted
        actor = Actor.of(row)
        detail: dict[str, object] = {"reason": outcome}
        if outcome == "wrong password":
            row.failed_sign_ins = (row.failed_sign_ins or 0) + 1
            row.last_failed_sign_in_at = now
            detail["failures"] = row.failed_sign_ins
        elif outcome == "ok":
            detail = {"rehashed": True} if new_hash else {}
            if new_hash:
                row.password_hash = new_hash
            row.failed_sign_ins = 0
            row.last_failed_sign_in_at = None
        record(s, actor, "sign_in" if refusal is None else "sign_in_failed", "user", row.id, detail)
    if refusal is not None:
        raise refusal
    return actor


def _check(
    user: User, password: str, now: datetime, *, accepted: str | None = None
) -> tuple[str, SendeskError | None, str]:
    """Judge one attempt at ``user``'s password: (outcome for the audit trail, the refusal
    or None, a stronger hash to store or ""). ``accepted``: the password the server
    checked for this connection (the user's own login), compared instead of the hash."""
    wait = wait_after(user.failed_sign_ins or 0)
    last = user.last_failed_sign_in_at
    if wait and last is not None and now < last + wait:
        words = _wait_words(last + wait - now)
        return (
            "waiting",
            SignInWaitError(
                f"Too many wrong passwords for this account: wait {words} and try again."
            ),
            "",
        )
    if accepted is not None:
        ok = hmac.compare_digest(password.encode("utf-8"), accepted.encode("utf-8"))
    elif user.password_hash:
        ok = check_password(user.password_hash, password)
    else:
        _dummy_check(password)
        ok = False
    if not ok:
        return "wrong password", SendeskError("The username or password is wrong."), ""
    if not user.active:
        return "disabled", SendeskError("This account has been disabled: ask the SENCo."), ""
    if accepted is not None:
        return "ok", None, ""  # the hash is not this login's to read, nor to rehash
    return "ok", None, hash_password(password) if needs_rehash(user.password_hash) else ""


def default_username(db: Database) -> str:
    """Whom the command line signs in as without ``--user``: the only active SENCo."""
    with db.session() as s:
        names = list(
            s.scalars(
                select(User.username).where(User.role == Role.SENCO.value, User.active.is_(True))
            )
        )
    if len(names) != 1:
        raise SendeskError(
            "Say who is signing in: give --user NAME or set SENDESK_USER "
            f"(this database has {len(names)} active SENCo accounts)."
        )
    return names[0]


def any_senco_password(db: Database) -> bool:
    """True once any SENCo account has a password (see :func:`set_first_password`).

    Connected to the server as a user's login, a password was given to make it, and
    that login may not read password hashes: True."""
    if not db.is_file and (db.target.url.username or "").startswith(pg_security.LOGIN_PREFIX):
        return True
    with db.session() as s:
        return bool(
            s.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == Role.SENCO.value, User.password_hash.is_not(None))
            )
        )


def set_first_password(db: Database, username: str, password: str) -> None:
    """Give a SENCo account its first password when no SENCo has one yet.

    Databases made before passwords were required (``sendesk init`` without one) have
    accounts nobody can sign in as; whoever holds the database key is trusted to set up
    the first SENCo's password, once. After that, only a signed-in SENCo resets passwords.
    """
    if problem := password_problem(password):
        raise ValidationError(problem)
    with db.transaction() as s:
        with_password = s.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.SENCO.value, User.password_hash.is_not(None))
        )
        if with_password:
            raise PermissionDeniedError(
                "A SENCo account already has a password: sign in as a SENCo to reset one."
            )
        user = s.scalar(select(User).where(User.username == username.strip()))
        if user is None or user.role != Role.SENCO.value or not user.active:
            raise NotFoundError(f"There is no active SENCo account called '{username}'.")
        user.password_hash = hash_password(password)
        user.must_change_password = False
        record(s, Actor.of(user), "set_first_password", "user", user.id, {})
        if not db.is_file:
            pg_security.sync_login(s, user.username, Role(user.role), True, password)


# --- managing accounts (the SENCo) ---------------------------------------------------------


def _summary(u: User) -> UserSummary:
    return UserSummary(
        u.id,
        u.username,
        u.display_name,
        Role(u.role),
        bool(u.active),
        bool(u.password_hash),
        bool(u.must_change_password),
        u.staff_code,
    )


def list_users(db: Database, actor: Actor) -> list[UserSummary]:
    """Every account; only the SENCo manages (and so sees) the staff list (DESIGN.md)."""
    permit(actor, Action.MANAGE_STAFF)
    with db.session() as s:
        query = select(User).options(undefer(User.password_hash)).order_by(User.display_name)
        return [_summary(u) for u in s.scalars(query)]


def active_staff(session: Session, roles: Iterable[Role]) -> list[tuple[int, str]]:
    """(user id, display name) of the active accounts in ``roles``, by name (letter case
    folded, then id): the one list every "who may do this" choice offers (who leads an
    intervention group, who teaches a class)."""
    rows = session.execute(
        select(User.id, User.display_name).where(
            User.active.is_(True), User.role.in_([r.value for r in roles])
        )
    ).all()
    return sorted(((i, n) for i, n in rows), key=lambda r: (r[1].casefold(), r[0]))


def role_named(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise ValidationError(
            f"'{value}' is not a role: use one of {', '.join(r.value for r in Role)}."
        ) from exc


def _clean_code(code: str | None) -> str | None:
    problems: list[str] = []
    code = checked_text(code or "", 20, "the staff code is", problems, lines=True)
    refuse(problems)
    return code or None


def create_user(
    db: Database,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role | str,
    password: str | None = None,
    *,
    staff_code: str | None = None,
) -> int:
    """The SENCo adds a staff account. A password given here is a first password: the
    new user is made to choose their own at their first sign-in."""
    permit(actor, Action.MANAGE_STAFF)
    problems: list[str] = []
    username = checked_text(
        username, 80, "the username is", problems, lines=True, missing="the username is empty"
    )
    refuse(problems)
    role = role_named(role)
    code = _clean_code(staff_code)
    if password is not None and (problem := password_problem(password)):
        raise ValidationError(problem)
    hashed = hash_password(password) if password else None  # before the write lock
    with db.transaction() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationError(f"There is already a user called '{username}'.")
        user = User(
            username=username,
            display_name=display_name.strip() or username,
            role=role.value,
            password_hash=hashed,
            must_change_password=bool(hashed),
            staff_code=code,
        )
        add_audited(
            s, AuditWriter(s, actor), user, "user", {"role": role.value, "staff_code": code}
        )
        if not db.is_file:  # their server login, in the same transaction
            pg_security.sync_login(s, username, role, True, password)
        return user.id


def _user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFoundError(f"There is no user called '{username}'.")
    return user


def _other_active_sencos(s: Session, user: User) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.SENCO.value, User.active.is_(True), User.id != user.id)
        )
        or 0
    )


def set_role(db: Database, actor: Actor, username: str, role: Role | str) -> None:
    """The SENCo changes an account's role; the school always keeps an active SENCo."""
    permit(actor, Action.MANAGE_STAFF)
    role = role_named(role)
    with db.transaction() as s:
        user = _user(s, username)
        old = Role(user.role)
        if old == role:
            return
        if old == Role.SENCO and not _other_active_sencos(s, user):
            raise ValidationError(
                f"{user.username} is the only active SENCo: make another SENCo first."
            )
        user.role = role.value
        record(s, actor, "set_role", "user", user.id, {"from": old.value, "to": role.value})
        if not db.is_file:
            pg_security.sync_login(s, user.username, role, bool(user.active))


def set_active(db: Database, actor: Actor, username: str, active: bool) -> None:
    """The SENCo disables or re-enables an account. A disabled user cannot sign in; their
    history and audit events stay (nothing is deleted)."""
    permit(actor, Action.MANAGE_STAFF)
    with db.transaction() as s:
        user = _user(s, username)
        if bool(user.active) == active:
            return
        if not active and user.id == actor.user_id:
            raise ValidationError("You cannot disable your own account.")
        if not active and user.role == Role.SENCO.value and not _other_active_sencos(s, user):
            raise ValidationError(
                f"{user.username} is the only active SENCo: make another SENCo first."
            )
        user.active = active
        record(s, actor, "enable" if active else "disable", "user", user.id, {})
        if not db.is_file:  # a disabled user's login is NOLOGIN: the server refuses it too
            pg_security.sync_login(s, user.username, Role(user.role), active)


def set_password(db: Database, actor: Actor, username: str, password: str) -> None:
    """A user chooses their own password; the SENCo may reset anyone's.

    A reset by the SENCo is a first password (must be changed at the next sign-in) and
    clears the wrong-password count, so a locked-out colleague can get back in.
    """
    own = actor.username == username.strip()
    if not own:
        permit(actor, Action.MANAGE_STAFF)
    if problem := password_problem(password):
        raise ValidationError(problem)
    hashed = hash_password(password)
    with db.transaction() as s:
        user = _user(s, username)
        user.password_hash = hashed
        user.must_change_password = not own
        user.failed_sign_ins = 0
        user.last_failed_sign_in_at = None
        record(s, actor, "set_password" if own else "reset_password", "user", user.id, {})
        by_server = pg_security.connected_as(db, username)
        if by_server and own:
            pg_security.set_own_password(s, username, password)
        elif not db.is_file:
            pg_security.sync_login(s, user.username, Role(user.role), bool(user.active), password)
    if by_server and own:  # the next connection needs the new password
        db.use_password(password)


def _made_here(parts: tuple[int, int, int, bytes, str] | None) -> bool:
    """Whether a stored hash's parts are what :func:`hash_password` makes today: the
    OWASP cost (not a weaker one, nor one so costly a sign-in would exhaust memory), a
    16-byte salt and a 32-byte digest."""
    if parts is None:
        return False
    n, r, p, salt, digest = parts
    return (
        (n, r, p) == (SCRYPT_N, SCRYPT_R, SCRYPT_P)
        and len(salt) == 16
        and (len(digest) == 64 and all(c in "0123456789abcdef" for c in digest))
    )


def set_password_hashes(session: Session, audit: AuditWriter, hashes: Mapping[int, str]) -> None:
    """Accounts given a password already hashed by :func:`hash_password`, by user id, in
    the caller's transaction; the SENCo's to do.

    Why hashes and not the password: the demo school gives its published password to every
    account, and scrypt costs about 0.4 s a hash, so they are made on threads while the
    school is written (and kept for the next demo the process makes). Each must be a hash
    this module makes today (its cost, salt and digest), and no two accounts may share a
    salt (issue 12); otherwise nothing is set. The accounts are not marked to change it at
    the next sign-in. One audit event names the accounts, never the hashes. On a
    PostgreSQL server the logins' own passwords are not changed (the server needs the
    password itself).
    """
    permit(audit.actor, Action.MANAGE_STAFF)
    problems: list[str] = []
    parts = {uid: _parts(h) for uid, h in hashes.items()}
    if unreadable := sorted(uid for uid, p in parts.items() if not _made_here(p)):
        problems.append(f"account {unreadable[0]}'s password is not a hash SENDesk can check")
    salts = [p[3] for p in parts.values() if p is not None]
    if len(set(salts)) != len(salts):
        problems.append("two accounts would share one password salt: give each its own")
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(hashes))))}
    if missing := sorted(hashes.keys() - users.keys()):
        problems.append(f"there is no account {missing[0]}")
    if problems:
        raise ValidationError(sentence(problems) + " No password was set.")
    for user_id, hashed in hashes.items():
        users[user_id].password_hash = hashed
    session.flush()
    audit.record("set_password_hashes", "user", None, {"user_ids": sorted(hashes)})


def change_own_password(db: Database, actor: Actor, new_password: str, again: str) -> Actor:
    """The forced change at a first sign-in (or any time): returns the actor without the
    must-change mark. The new password may not be the first one again."""
    if problem := password_problem(new_password, again):
        raise ValidationError(problem)
    if pg_security.connected_as(db, actor.username):
        # The login may not read hashes; the password it connected with is the current one.
        same = db.target.url.password == new_password
    else:
        with db.session() as s:
            stored = s.scalar(select(User.password_hash).where(User.id == actor.user_id))
        same = check_password(stored, new_password)
    if same:
        raise ValidationError("Choose a password different from the one you were given.")
    set_password(db, actor, actor.username, new_password)
    return Actor(
        actor.user_id, actor.username, actor.display_name, actor.role, actor.os_user, False
    )


def set_staff_code(db: Database, actor: Actor, username: str, staff_code: str | None) -> None:
    """The SENCo links a teacher to their MIS staff code, so ``import-classes`` makes them
    the teacher of their classes."""
    permit(actor, Action.MANAGE_STAFF)
    code = _clean_code(staff_code)
    with db.transaction() as s:
        user = _user(s, username)
        if code is not None:
            taken = s.scalar(
                select(User.username).where(User.staff_code == code, User.id != user.id)
            )
            if taken:
                raise ValidationError(f"Staff code '{code}' already belongs to {taken}.")
        old = user.staff_code
        if old == code:
            return
        user.staff_code = code
        record(s, actor, "set_staff_code", "user", user.id, {"from": old, "to": code})


@dataclass(frozen=True)
class AssignedPupil:
    pupil_id: int
    upn: str
    name: str


def assigned_pupils(db: Database, actor: Actor, username: str) -> list[AssignedPupil]:
    """The pupils assigned to a member of learning support (beyond their groups)."""
    permit(actor, Action.MANAGE_STAFF)
    with db.session() as s:
        user = _user(s, username)
        rows = s.execute(
            select(Pupil.id, Pupil.upn, Pupil.legal_forename, Pupil.legal_surname)
            .join(PupilAssignment, PupilAssignment.pupil_id == Pupil.id)
            .where(PupilAssignment.user_id == user.id)
            .order_by(Pupil.legal_surname, Pupil.legal_forename)
        ).all()
    return [AssignedPupil(i, upn, f"{fore} {sur}") for i, upn, fore, sur in rows]


def set_assigned_pupils(
    db: Database,
    actor: Actor,
    username: str,
    pupil_ids: list[int],
    *,
    today: date | None = None,
) -> None:
    """The SENCo assigns pupils to a member of learning support (a key adult, a 1:1)."""
    permit(actor, Action.MANAGE_STAFF)
    wanted = set(pupil_ids)
    with db.transaction() as s:
        user = _user(s, username)
        if user.role != Role.LEARNING_SUPPORT.value and wanted:
            raise ValidationError(
                f"{user.username} is not learning support: only learning support are "
                "assigned pupils."
            )
        known = set(s.scalars(select(Pupil.id).where(Pupil.id.in_(wanted)))) if wanted else set()
        if missing := wanted - known:
            raise NotFoundError(f"There is no pupil with id {min(missing)}.")
        have = set(
            s.scalars(select(PupilAssignment.pupil_id).where(PupilAssignment.user_id == user.id))
        )
        added, removed = sorted(wanted - have), sorted(have - wanted)
        if removed:
            s.execute(
                delete(PupilAssignment).where(
                    PupilAssignment.user_id == user.id, PupilAssignment.pupil_id.in_(removed)
                )
            )
        s.add_all(
            PupilAssignment(user_id=user.id, pupil_id=p, assigned_on=today or date.today())
            for p in added
        )
        if added or removed:
            record(
                s,
                actor,
                "assign_pupils",
                "user",
                user.id,
                {"added": added, "removed": removed},
            )
