"""The command line on a PostgreSQL server with SENDesk's roles (issue 13): ``sendesk init``
as the owner sets up the roles and the first SENCo's login; afterwards a URL naming no
account connects as the signing-in user's own login, so the server checks the password.
"""

from __future__ import annotations

import secrets
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.cli_run import run
from tests.pg_owner import owner_and_database

pytestmark = pytest.mark.postgres


def test_init_sets_up_the_roles_and_each_user_signs_in_as_their_login(
    pg_server: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_password: str,
) -> None:
    owned = owner_and_database(pg_server.admin_url)
    owner_url, url = owned.owner_url, owned.url_without_account
    boss, teacher = f"boss{secrets.token_hex(3)}", f"teach{secrets.token_hex(3)}"
    code, out, err = run(capsys, "init", "--db", owner_url, "--school", "X", "--senco", boss)
    assert code == 0, err
    assert "postgresql+psycopg://owner_" in out and ":***@" in out  # never the password
    # The SENCo, as their own login (the URL names no account): adds a teacher.
    code, out, err = run(
        capsys,
        "users",
        "add",
        "--db",
        url,
        "--user",
        boss,
        teacher,
        "--role",
        "teacher",
        "--name",
        "A Teacher",
    )
    assert code == 0, err
    code, out, err = run(capsys, "users", "list", "--db", url, "--user", boss)
    assert code == 0 and boss in out and teacher in out
    # The SENCo's login checks the whole database (it reads everything verify reads).
    monkeypatch.setenv("SENDESK_USER", boss)
    code, out, err = run(capsys, "verify", "--db", url)
    assert code == 0 and "All checks passed." in out, out + err
    monkeypatch.delenv("SENDESK_USER")
    # Without saying who, on a server: one sentence.
    code, out, err = run(capsys, "users", "list", "--db", url)
    assert code == 1 and "--user NAME" in err and err.count("\n") == 1
    # A wrong password is refused by the server, in the same words as the app's.
    monkeypatch.setenv("SENDESK_PASSWORD", "not the password")
    code, out, err = run(capsys, "users", "list", "--db", url, "--user", boss)
    assert (code, out, err) == (1, "", "sendesk: The username or password is wrong.\n")
    # The teacher's first password must be changed; their login changes with it.
    monkeypatch.setenv("SENDESK_PASSWORD", cli_password)
    code, out, err = run(capsys, "register", "--db", url, "--user", teacher, "--all")
    assert code == 1 and "must be changed first" in err
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "my-very-own-password")
    code, out, err = run(capsys, "users", "reset-password", "--db", url, "--user", teacher, teacher)
    assert code == 0, err
    monkeypatch.setenv("SENDESK_PASSWORD", "my-very-own-password")
    code, out, err = run(capsys, "register", "--db", url, "--user", teacher, "--all")
    assert code == 0, err
    # …and the teacher is refused what the app refuses them, by the server too.
    code, out, err = run(capsys, "users", "list", "--db", url, "--user", teacher)
    assert code != 0 and "Teacher accounts cannot" in err, err
    target = make_url(url)
    with (
        psycopg.connect(
            host=target.host,
            port=target.port,
            dbname=target.database,
            user=f"sendesk_{teacher}",
            password="my-very-own-password",
        ) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT password_hash FROM user_account")


def test_init_refuses_an_owner_that_cannot_make_logins(
    pg_server: Any, capsys: pytest.CaptureFixture[str], cli_password: str
) -> None:
    suffix = secrets.token_hex(4)
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE plain_{suffix} LOGIN PASSWORD 'pw-{suffix}'")
        conn.execute(f"CREATE DATABASE db_{suffix} OWNER plain_{suffix}")
    admin = make_url(pg_server.admin_url)
    url = f"postgresql+psycopg://plain_{suffix}:pw-{suffix}@{admin.host}:{admin.port}/db_{suffix}"
    code, out, err = run(capsys, "init", "--db", url, "--school", "X", "--senco", "boss")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "cannot create roles" in err and "nothing was created" in err
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)


def test_a_login_does_not_upgrade_the_schema(
    pg_server: Any, capsys: pytest.CaptureFixture[str], cli_password: str
) -> None:
    """Migrations are the owner's: a user's login opening an older schema is told so."""
    owned = owner_and_database(pg_server.admin_url)
    owner_url, url = owned.owner_url, owned.url_without_account
    boss = f"boss{secrets.token_hex(3)}"
    assert run(capsys, "init", "--db", owner_url, "--school", "X", "--senco", boss)[0] == 0
    with psycopg.connect(owner_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0005'")
    code, out, err = run(capsys, "users", "list", "--db", url, "--user", boss)
    assert code == 1 and out == "" and "open it once as the database's owner" in err


def test_an_existing_server_school_gets_its_roles(
    pg_server: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli_password: str,
) -> None:
    """A school made before the server's roles (one shared account): the owner runs
    server-roles; the SENCo sets their own login's password through the owner's URL, then
    signs in as their login."""
    from sendesk.db import create_database
    from sendesk.services.school.school import init_school

    owned = owner_and_database(pg_server.admin_url)
    owner_url, url = owned.owner_url, owned.url_without_account
    boss = f"boss{secrets.token_hex(3)}"
    with create_database(owner_url) as db:
        init_school(db, "Old", senco_username=boss, senco_name="B", senco_password=cli_password)
    code, out, err = run(capsys, "server-roles", "--db", owner_url)
    assert code == 0, err
    assert "1 staff logins" in out
    code, out, err = run(capsys, "users", "list", "--db", url, "--user", boss)
    assert (code, err) == (1, "sendesk: The username or password is wrong.\n")  # no password yet
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", "the-login-password")
    code, out, err = run(capsys, "users", "reset-password", "--db", owner_url, "--user", boss, boss)
    assert code == 0, err
    monkeypatch.setenv("SENDESK_PASSWORD", "the-login-password")
    code, out, err = run(capsys, "users", "list", "--db", url, "--user", boss)
    assert code == 0 and boss in out
