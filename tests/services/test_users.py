"""Accounts and sign-in: who is acting decides what may be done."""

from __future__ import annotations

import pytest

from sendesk.errors import PermissionDeniedError, SendeskError, ValidationError
from sendesk.models import Role
from sendesk.services.users import (
    check_password,
    create_user,
    hash_password,
    list_users,
    set_password,
    sign_in,
)


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
