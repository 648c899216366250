"""Staff accounts: creating them, passwords, and signing in.

The database key protects the data at rest; the account decides *who* is acting, so the
window shows what that role may use and the audit trail names the right person. Passwords
are stored as scrypt hashes (the standard library's, no extra dependency).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import NotFoundError, SendeskError, ValidationError
from sendesk.models import ROLE_LABELS, Role, User
from sendesk.services.actor import Actor
from sendesk.services.audit import record

MIN_PASSWORD = 8
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """An scrypt hash with a random salt, in a self-describing text form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time comparison)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(computed.hex(), digest)


def password_problem(password: str, again: str | None = None) -> str | None:
    """One sentence saying what is wrong with a new password, or None."""
    if len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if again is not None and again != password:
        return "The two passwords differ."
    return None


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    has_password: bool

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def sign_in(db: Database, username: str, password: str) -> Actor:
    """The actor for a username and password; one vague sentence when either is wrong."""
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == username.strip()))
        # Hash even when the user is unknown, so timing does not reveal which names exist.
        ok = check_password(user.password_hash if user else hash_password("x"), password)
        if user is None or not user.active or not ok:
            raise SendeskError("The username or password is wrong.")
        return Actor.of(user)


def list_users(db: Database, actor: Actor) -> list[UserSummary]:
    """Every account; only the SENCo manages (and so sees) the staff list (DESIGN.md)."""
    actor.require(Role.SENCO, doing="see other staff's accounts")
    with db.session() as s:
        return [
            UserSummary(
                u.id, u.username, u.display_name, Role(u.role), u.active, bool(u.password_hash)
            )
            for u in s.scalars(select(User).order_by(User.display_name))
        ]


def create_user(
    db: Database,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role | str,
    password: str | None = None,
) -> int:
    """The SENCo adds a staff account."""
    actor.require(Role.SENCO, doing="add staff accounts")
    username = username.strip()
    if not username:
        raise ValidationError("The username is empty.")
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationError(
            f"'{role}' is not a role: use one of {', '.join(r.value for r in Role)}."
        ) from exc
    if password is not None and (problem := password_problem(password)):
        raise ValidationError(problem)
    with db.transaction() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationError(f"There is already a user called '{username}'.")
        user = User(
            username=username,
            display_name=display_name.strip() or username,
            role=role.value,
            password_hash=hash_password(password) if password else None,
        )
        s.add(user)
        s.flush()
        record(s, actor, "create", "user", user.id, {"role": role.value})
        return user.id


def set_password(db: Database, actor: Actor, username: str, password: str) -> None:
    """A user changes their own password; the SENCo may set anyone's."""
    if actor.username != username:
        actor.require(Role.SENCO, doing="set another person's password")
    if problem := password_problem(password):
        raise ValidationError(problem)
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"There is no user called '{username}'.")
        user.password_hash = hash_password(password)
        record(s, actor, "set_password", "user", user.id, {})
