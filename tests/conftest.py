"""Shared fixtures: a fresh database per test, on SQLCipher *and* on PostgreSQL.

PostgreSQL tests start a throwaway server (initdb + pg_ctl on a free localhost port) when
the server binaries are installed, or use ``SENDESK_TEST_PG_URL`` when it names a server
whose user may create databases. Without either they skip and say why; under CI (``CI``
set) a missing PostgreSQL is an error, because CI installs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sendesk.db import Database, create_database
from sendesk.keystore import new_raw_key
from sendesk.services.actor import Actor
from sendesk.services.school.school import init_school
from tests.pg_server import PgServer, PgUnavailable, start_pg

# --- the property tests' case count, across pytest-xdist workers --------------------------

_WORKER_TOTALS: list[dict[str, int]] = []
"""The hypothesis totals each xdist worker sent back (tests/property/cases.py counts them in
the process that ran the tests; with ``-n`` that is a worker, not the process that prints)."""


def _own_totals() -> dict[str, int] | None:
    cases = sys.modules.get("cases")
    return dict(cases.TOTALS) if cases is not None else None


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker hands its totals to the controller through xdist's ``workeroutput``."""
    output = getattr(session.config, "workeroutput", None)
    totals = _own_totals()
    if output is not None and totals is not None:
        output["hypothesis_totals"] = totals


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    totals = getattr(node, "workeroutput", {}).get("hypothesis_totals")
    if totals:
        _WORKER_TOTALS.append(totals)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """ "hypothesis: N cases, 0 crashes": benchmarks/hostile_files.py quotes this line."""
    parts = [*_WORKER_TOTALS, *([own] if (own := _own_totals()) else [])]
    totals = {
        key: sum(part.get(key, 0) for part in parts)
        for key in ("cases", "checks", "crashes", "refused", "written")
    }
    if totals["cases"]:
        terminalreporter.write_line(
            f"hypothesis: {totals['cases']:,} cases, {totals['crashes']} crashes "
            f"({totals['checks']:,} calls into SENDesk, {totals['refused']:,} refused in a "
            f"sentence, {totals['written']:,} database imports or uploads written)"
        )


class MemoryKeyring(KeyringBackend):
    """An OS keyring stand-in for tests: real keyring API, kept in memory."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keyring and no SENDESK_DB_KEY/SENDESK_DB."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("SENDESK_DB_KEY", raising=False)
    # The settings folder (the app's settings, the audit chain's anchors) is the test's own.
    monkeypatch.setenv("SENDESK_CONFIG_DIR", str(tmp_path_factory.mktemp("cfg")))
    monkeypatch.delenv("SENDESK_DB", raising=False)
    # The command line signs in (issue 13): no password or user from the developer's shell.
    for name in ("SENDESK_PASSWORD", "SENDESK_NEW_PASSWORD", "SENDESK_USER"):
        monkeypatch.delenv(name, raising=False)
    yield backend
    keyring.set_keyring(previous)


# --- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        server = start_pg()
    except PgUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc} (CI must run them)", pytrace=False)
        pytest.skip(str(exc))
    yield server
    server.close()


# --- SENDesk databases -------------------------------------------------------------------


@pytest.fixture
def cli_password(monkeypatch: pytest.MonkeyPatch) -> str:
    """The command line signs in with a password (issue 13): a script gives it, and any
    new password (``init``'s first SENCo, ``users add``), in the environment. The same as
    the demo accounts', so demo schools and schools made with ``init`` both accept it."""
    from sendesk.demo import DEMO_PASSWORD

    monkeypatch.setenv("SENDESK_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", DEMO_PASSWORD)
    return DEMO_PASSWORD


@pytest.fixture
def env_key(monkeypatch: pytest.MonkeyPatch, raw_key: str, cli_password: str) -> str:
    """A command-line run's key (``SENDESK_DB_KEY``) and password, as a script gives them."""
    monkeypatch.setenv("SENDESK_DB_KEY", raw_key)
    return raw_key


@pytest.fixture
def raw_key() -> str:
    """A random raw SQLCipher key (no key-derivation cost, so tests stay fast)."""
    return new_raw_key()


@pytest.fixture(params=["sqlcipher", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_target(request: pytest.FixtureRequest, tmp_path: Path, raw_key: str) -> tuple[str, str]:
    """(``--db`` value, key) for a place where a new database may be created."""
    if request.param == "sqlcipher":
        return str(tmp_path / "school.db"), raw_key
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database(), raw_key


@pytest.fixture
def db(empty_target: tuple[str, str]) -> Iterator[Database]:
    """A fresh school database with one SENCo, on each backend in turn."""
    target, key = empty_target
    database = create_database(target, key)
    init_school(
        database,
        "Test Academy",
        urn="123456",
        la_name="Testshire",
        senco_username="senco",
        senco_name="Ms Senco",
    )
    yield database
    database.dispose()


@pytest.fixture
def senco(db: Database) -> Actor:
    from sendesk.services.actor import acting_user

    return acting_user(db, "senco")


@pytest.fixture(
    scope="module",
    params=["sqlcipher", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def module_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """An empty database per backend that one test module fills once (a demo school is slow
    to write) and its read-only tests share."""
    if request.param == "sqlcipher":
        target = str(tmp_path_factory.mktemp("school") / "school.db")
    else:
        target = request.getfixturevalue("pg_server").new_database()
    db = create_database(target, new_raw_key())
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def make_db(
    empty_target: tuple[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Database]]:
    """New empty databases on the backend under test (the first at ``empty_target``), for
    tests that compare two schools or start again from nothing."""
    target, key = empty_target
    made: list[Database] = []

    def make() -> Database:
        where = target
        if made:
            if "://" in target:
                where = request.getfixturevalue("pg_server").new_database()
            else:
                where = str(tmp_path / f"school-{len(made)}.db")
        made.append(create_database(where, key))
        return made[-1]

    yield make
    for db in made:
        db.dispose()


@pytest.fixture
def pupil(db: Database, senco: Actor) -> int:
    """Zoë, on SEN support (K) for SPLD, added by the SENCo: the pupil a record test opens.

    A file that needs another pupil defines its own ``pupil``, which takes precedence here.
    """
    from tests.factories import add_test_pupil

    return add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",), forename="Zoë")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temp folder the OS viewer's copies of evidence go to, private to the test; the
    copies are removed afterwards, as the app does when it quits."""
    from sendesk.services.evidence.evidence import remove_viewer_copies

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    remove_viewer_copies()


@pytest.fixture
def ended_pid() -> int:
    """The process id of a process that has already ended (as a crashed SENDesk's has)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)
