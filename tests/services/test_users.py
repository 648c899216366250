"""Accounts and sign-in: who is acting decides what may be done."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sendesk.errors import NotFoundError, PermissionDeniedError, SendeskError, ValidationError
from sendesk.models import AuditEvent, Role, User
from sendesk.services.staff import users
from sendesk.services.staff.users import (
    LONGEST_WAIT,
    SignInWaitError,
    assigned_pupils,
    change_own_password,
    check_password,
    create_user,
    hash_password,
    list_users,
    needs_rehash,
    set_active,
    set_assigned_pupils,
    set_first_password,
    set_password,
    set_password_hashes,
    set_role,
    set_staff_code,
    sign_in,
    wait_after,
)
from sendesk.services.store.audit import AuditWriter


def test_hash_round_trip_and_salt() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second  # salted
    assert check_password(first, "correct horse")
    assert not check_password(first, "correct hors")
    assert not check_password(None, "anything")
    assert not check_password("md5$abc", "anything")


def test_sign_in_as_each_role(db, senco) -> None:
    for role in Role:
        create_user(db, senco, f"u_{role.value}", f"User {role.value}", role, "password1")
        actor = sign_in(db, f"u_{role.value}", "password1")
        assert actor.role == role
    with pytest.raises(SendeskError, match="username or password is wrong"):
        sign_in(db, "u_teacher", "wrong password")
    with pytest.raises(SendeskError, match="username or password is wrong"):
        sign_in(db, "nobody", "password1")


def test_account_without_password_cannot_sign_in(db, senco) -> None:
    create_user(db, senco, "cli_only", "Script", Role.SENCO)
    with pytest.raises(SendeskError):
        sign_in(db, "cli_only", "")


def test_only_senco_manages_accounts(db, senco) -> None:
    create_user(db, senco, "ta", "Mr TA", Role.LEARNING_SUPPORT, "password1")
    ta = sign_in(db, "ta", "password1")
    with pytest.raises(PermissionDeniedError, match="Learning support accounts cannot"):
        create_user(db, ta, "x", "X", Role.SENCO, "password1")
    with pytest.raises(PermissionDeniedError):
        list_users(db, ta)
    with pytest.raises(PermissionDeniedError):
        set_password(db, ta, "senco", "hijacked1")
    set_password(db, ta, "ta", "new password")  # their own is fine
    assert sign_in(db, "ta", "new password").username == "ta"
    names = [u.username for u in list_users(db, senco)]
    assert names == sorted(names, key=lambda n: {"ta": "Mr TA", "senco": "Ms Senco"}[n])


def test_bad_new_accounts(db, senco) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        create_user(db, senco, "x", "X", Role.TEACHER, "short")
    with pytest.raises(ValidationError, match="already a user"):
        create_user(db, senco, "senco", "Dup", Role.TEACHER)
    with pytest.raises(ValidationError, match="not a role"):
        create_user(db, senco, "y", "Y", "headteacher")


# --- issue 12: password hashing at today's cost -------------------------------------------


def test_hashes_use_owasp_scrypt_parameters() -> None:
    """OWASP Password Storage Cheat Sheet: scrypt N=2^17, r=8, p=1 (issue 12)."""
    scheme, n, r, p, salt, digest = hash_password("correct horse").split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**17), "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert not needs_rehash(hash_password("correct horse"))
    # an unknown username is refused after a check at the same cost as a real one
    assert not needs_rehash(users._DUMMY_HASH)


def weak_hash(password: str) -> str:
    """A hash as SENDesk made them before issue 12 (N=2^14)."""
    salt = bytes(range(16))
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"


def test_a_weak_hash_is_replaced_at_the_next_sign_in(db, senco) -> None:
    create_user(db, senco, "old", "Old Hash", Role.TEACHER)
    with db.transaction() as s:
        s.scalar(select(User).where(User.username == "old")).password_hash = weak_hash("password1")
    assert needs_rehash(stored_hash(db, "old"))
    assert sign_in(db, "old", "password1").username == "old"
    stored = stored_hash(db, "old")
    assert stored.startswith(f"scrypt${2**17}$8$1$") and not needs_rehash(stored)
    assert sign_in(db, "old", "password1").username == "old"  # the new hash works
    events = audit_events(db, "sign_in")
    details = [json.loads(e.detail) for e in events[-2:]]
    assert all("user_account:" in next(iter(d.pop("sealed"))) for d in details)  # row_seals
    assert details == [{"rehashed": True}, {}]


def stored_hash(db, username: str) -> str:
    with db.session() as s:
        return s.scalar(select(User.password_hash).where(User.username == username))


def audit_events(db, action: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- issue 13: throttling and auditing sign-ins -------------------------------------------

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_five_wrong_passwords_then_each_attempt_waits_longer(db, senco) -> None:
    create_user(db, senco, "ta", "Mr TA", Role.LEARNING_SUPPORT, "password1")
    for i in range(5):
        with pytest.raises(SendeskError, match="username or password is wrong"):
            sign_in(db, "ta", "guess", now=T0 + timedelta(seconds=i))
    last = T0 + timedelta(seconds=4)
    # the sixth attempt within a second of the fifth failure is refused unchecked, even
    # with the right password
    with pytest.raises(SignInWaitError, match="wait 1 second and try again"):
        sign_in(db, "ta", "password1", now=last + timedelta(milliseconds=200))
    with pytest.raises(SendeskError, match="username or password is wrong"):
        sign_in(db, "ta", "guess", now=last + timedelta(seconds=1))
    last += timedelta(seconds=1)
    with pytest.raises(SignInWaitError, match="wait 2 seconds"):
        sign_in(db, "ta", "password1", now=last + timedelta(milliseconds=10))
    assert wait_after(6) == timedelta(seconds=2) and wait_after(7) == timedelta(seconds=4)
    assert wait_after(40) == LONGEST_WAIT
    # after the wait the right password works and the count starts again
    assert sign_in(db, "ta", "password1", now=last + timedelta(seconds=2)).username == "ta"
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "ta"))
        assert user.failed_sign_ins == 0 and user.last_failed_sign_in_at is None
    for i in range(5):
        with pytest.raises(SendeskError, match="username or password is wrong"):
            sign_in(db, "ta", "guess", now=T0 + timedelta(minutes=5, seconds=i))


def test_the_wait_is_per_user_and_survives_a_restart(db, senco) -> None:
    create_user(db, senco, "a1", "A", Role.TEACHER, "password1")
    create_user(db, senco, "b1", "B", Role.TEACHER, "password1")
    with db.transaction() as s:  # as a previous run of the app left it
        user = s.scalar(select(User).where(User.username == "a1"))
        user.failed_sign_ins, user.last_failed_sign_in_at = 12, T0
    with pytest.raises(SignInWaitError, match="wait 108 seconds"):
        sign_in(db, "a1", "password1", now=T0 + timedelta(seconds=20))
    assert sign_in(db, "b1", "password1", now=T0).username == "b1"
    assert sign_in(db, "a1", "password1", now=T0 + timedelta(seconds=128)).username == "a1"


def test_every_sign_in_and_failure_is_audited_without_the_password(db, senco) -> None:
    create_user(db, senco, "t1", "Ms T", Role.TEACHER, "password1")
    actor = sign_in(db, "t1", "password1")
    with pytest.raises(SendeskError):
        sign_in(db, "t1", "secret-guess")
    with pytest.raises(SendeskError):
        sign_in(db, "nobody", "other-guess")
    ok, failed = audit_events(db, "sign_in"), audit_events(db, "sign_in_failed")
    assert [(e.entity, e.entity_id, e.user_id) for e in ok] == [
        ("user", actor.user_id, actor.user_id)
    ]
    assert [(e.entity, e.entity_id, json.loads(e.detail)["reason"]) for e in failed] == [
        ("user", actor.user_id, "wrong password"),
        ("user", None, "unknown"),
    ]
    assert all(f.user_id in (actor.user_id, None) for f in failed)
    with db.session() as s:
        details = " ".join(s.scalars(select(AuditEvent.detail)))
    assert "guess" not in details and "password1" not in details


def test_accounts_given_password_hashes_each_their_own(db, senco) -> None:
    """The demo's way to give many accounts one password: hashes made beforehand, each
    with its own salt, set in one transaction; a hash SENDesk cannot check, one shared by
    two accounts or an account that does not exist sets nothing."""
    tam = create_user(db, senco, "tam", "Tam Teacher", Role.TEACHER)
    ash = create_user(db, senco, "ash", "Ash Assistant", Role.LEARNING_SUPPORT)
    first, second = hash_password("demo-password"), hash_password("demo-password")

    def give(hashes: dict[int, str], actor=senco) -> None:
        with db.transaction() as s:
            set_password_hashes(s, AuditWriter(s, actor), hashes)

    give({tam: first, ash: second})
    assert sign_in(db, "tam", "demo-password").user_id == tam
    assert not sign_in(db, "ash", "demo-password").must_change_password
    refusals = [
        ({tam: "demo-password"}, f"Account {tam}'s password is not a hash SENDesk can check."),
        ({tam: first, ash: first}, "Two accounts would share one password salt: give each"),
        ({tam: first, ash: first.replace("$131072$", "$2$", 1)}, f"Account {ash}'s password is"),
        ({tam: first[:-2]}, f"Account {tam}'s password is not a hash SENDesk can check."),
        ({999: hash_password("other-password")}, "There is no account 999."),
    ]
    for hashes, words in refusals:
        with pytest.raises(ValidationError, match=words[:40]) as refused:
            give(hashes)
        assert str(refused.value).endswith("No password was set.")
    assert sign_in(db, "tam", "demo-password").user_id == tam  # still the first hash
    with pytest.raises(PermissionDeniedError):
        give({tam: hash_password("other-password")}, sign_in(db, "tam", "demo-password"))
    (event,) = audit_events(db, "set_password_hashes")
    assert json.loads(event.detail) == {"user_ids": sorted([tam, ash])}
    assert first.split("$")[-1] not in event.detail


def test_a_disabled_account_cannot_sign_in_and_keeps_its_history(db, senco) -> None:
    create_user(db, senco, "gone", "Mr Gone", Role.TEACHER, "password1")
    set_active(db, senco, "gone", False)
    with pytest.raises(SendeskError, match=r"This account has been disabled: ask the SENCo\."):
        sign_in(db, "gone", "password1")
    with pytest.raises(SendeskError, match="username or password is wrong"):
        sign_in(db, "gone", "wrong one")  # a wrong password does not reveal the account
    summary = {u.username: u for u in list_users(db, senco)}["gone"]
    assert not summary.active
    assert [e.action for e in audit_events(db, "disable")] == ["disable"]
    set_active(db, senco, "gone", True)
    assert sign_in(db, "gone", "password1").username == "gone"


def test_first_passwords_must_be_changed(db, senco) -> None:
    create_user(db, senco, "new", "Ms New", Role.TEACHER, "first-pass")
    actor = sign_in(db, "new", "first-pass")
    assert actor.must_change_password
    with pytest.raises(ValidationError, match="different from the one you were given"):
        change_own_password(db, actor, "first-pass", "first-pass")
    with pytest.raises(ValidationError, match="two passwords differ"):
        change_own_password(db, actor, "my-own-pass", "my-own-pas")
    changed = change_own_password(db, actor, "my-own-pass", "my-own-pass")
    assert not changed.must_change_password
    assert not sign_in(db, "new", "my-own-pass").must_change_password
    set_password(db, senco, "new", "reset-pass")  # the SENCo resets it: a first password again
    assert sign_in(db, "new", "reset-pass").must_change_password


def test_roles_and_the_last_senco(db, senco) -> None:
    create_user(db, senco, "eo", "Exams Officer", Role.EXAMS_OFFICER, "password1")
    set_role(db, senco, "eo", "teacher")
    assert {u.username: u.role for u in list_users(db, senco)}["eo"] is Role.TEACHER
    with pytest.raises(ValidationError, match="only active SENCo"):
        set_role(db, senco, "senco", Role.TEACHER)
    with pytest.raises(ValidationError, match="your own account"):
        set_active(db, senco, "senco", False)
    with pytest.raises(ValidationError, match="not a role"):
        set_role(db, senco, "eo", "governor")
    with pytest.raises(NotFoundError, match="no user called 'ghost'"):
        set_role(db, senco, "ghost", Role.TEACHER)
    teacher = sign_in(db, "eo", "password1")
    with pytest.raises(PermissionDeniedError, match="Teacher accounts cannot manage staff"):
        set_role(db, teacher, "senco", Role.TEACHER)


def test_staff_codes_and_assigned_pupils(db, senco) -> None:
    from tests.factories import add_test_pupil

    create_user(db, senco, "tch", "Mr Teach", Role.TEACHER, staff_code="ABC")
    create_user(db, senco, "lsa", "Ms Support", Role.LEARNING_SUPPORT)
    with pytest.raises(ValidationError, match="Staff code 'ABC' already belongs to tch"):
        set_staff_code(db, senco, "lsa", "ABC")
    set_staff_code(db, senco, "tch", " XYZ ")
    assert {u.username: u.staff_code for u in list_users(db, senco)}["tch"] == "XYZ"
    pupil = add_test_pupil(db, senco, 1)
    set_assigned_pupils(db, senco, "lsa", [pupil])
    assert [p.pupil_id for p in assigned_pupils(db, senco, "lsa")] == [pupil]
    with pytest.raises(ValidationError, match="not learning support"):
        set_assigned_pupils(db, senco, "tch", [pupil])
    set_assigned_pupils(db, senco, "lsa", [])
    assert assigned_pupils(db, senco, "lsa") == []
    assert [e.action for e in audit_events(db, "assign_pupils")] == ["assign_pupils"] * 2


def test_the_first_password_of_an_old_database(db) -> None:
    """A database made before passwords were required: the key holder sets the first
    SENCo's password once; after that only a signed-in SENCo can."""
    with pytest.raises(SendeskError):
        sign_in(db, "senco", "")
    set_first_password(db, "senco", "key-holder")
    senco = sign_in(db, "senco", "key-holder")
    assert not senco.must_change_password
    with pytest.raises(PermissionDeniedError, match="already has a password"):
        set_first_password(db, "senco", "another-one")


def test_the_exams_officer_is_refused_pupil_records(db, senco) -> None:
    from sendesk.services.register.register_view import register_rows

    create_user(db, senco, "exams", "Mrs Exams", Role.EXAMS_OFFICER, "password1")
    officer = sign_in(db, "exams", "password1")
    assert officer.role is Role.EXAMS_OFFICER
    with pytest.raises(PermissionDeniedError, match="Exams officer accounts cannot see"):
        register_rows(db, officer)
