"""A throwaway PostgreSQL server: initdb and pg_ctl on a free localhost port, password
(SCRAM) authentication over TCP as the app connects.

Its own module, not a conftest fixture only, because benchmarks/run_all.py starts one the
same way for its PostgreSQL school; tests/conftest.py's ``pg_server`` fixture wraps it.
"""

from __future__ import annotations

import glob
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PgUnavailable(RuntimeError):
    """Neither the server binaries nor ``SENDESK_TEST_PG_URL`` are there."""


def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    candidates += sorted(glob.glob(f"/opt/homebrew/opt/postgresql*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """A PostgreSQL server that exists only for this test session."""

    def __init__(self, admin_url: str, stop: list[str] | None, folder: str | None) -> None:
        self.admin_url = admin_url
        self._stop = stop
        self._folder = folder
        self._counter = itertools.count()

    def new_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg

        name = f"sendesk_test_{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base = self.admin_url.rsplit("/", 1)[0]
        return f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"

    def close(self) -> None:
        if self._stop:
            subprocess.run(self._stop, check=False, capture_output=True)
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)


def start_pg() -> PgServer:
    """Start a throwaway server (or use ``SENDESK_TEST_PG_URL``); :class:`PgUnavailable`
    when neither is possible."""
    external = os.environ.get("SENDESK_TEST_PG_URL")
    if external:
        return PgServer(external.replace("postgresql+psycopg://", "postgresql://"), None, None)
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        raise PgUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed: install the "
            "'postgresql' package, or set SENDESK_TEST_PG_URL, to run the PostgreSQL tests"
        )
    folder = tempfile.mkdtemp(prefix="sendesk-pg-")
    data, sock = Path(folder) / "data", Path(folder) / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # PostgreSQL refuses to run as root: run it as the 'postgres' account the package made.
        shutil.chown(folder, "postgres")
        shutil.chown(sock, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    # Password (SCRAM) authentication, over TCP as the app connects, not trust: the roles
    # held by the server (services/store/pg_security.py) are only tested if the server checks
    # who is connecting. The superuser gets a random password, given in admin_url.
    password = secrets.token_hex(16)
    pwfile = Path(folder) / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if prefix:
        shutil.chown(pwfile, "postgres")
    subprocess.run(
        [
            *prefix,
            initdb,
            "-D",
            str(data),
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            f"--pwfile={pwfile}",
            "-U",
            "sendesk",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    opts = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(Path(folder) / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    pwfile.unlink()
    stop = [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"]
    return PgServer(f"postgresql://sendesk:{password}@127.0.0.1:{port}/postgres", stop, folder)
