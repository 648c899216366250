"""A PostgreSQL database set up as the README tells an IT technician to: a login that owns
it, may create roles, and is no superuser. The security tests start from one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class OwnedDatabase:
    owner_url: str
    dbname: str
    host: str
    port: int

    @property
    def url_without_account(self) -> str:
        """The database named with no login: how staff are given it (each signs in)."""
        return f"postgresql+psycopg://{self.host}:{self.port}/{self.dbname}"


def owner_and_database(admin_url: str) -> OwnedDatabase:
    """A new owner (LOGIN CREATEROLE, random password) and a new database it owns."""
    suffix = secrets.token_hex(4)
    owner, dbname, owner_pw = f"owner_{suffix}", f"school_{suffix}", secrets.token_hex(12)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{owner_pw}'")
        conn.execute(f"CREATE DATABASE {dbname} OWNER {owner}")
    admin = make_url(admin_url)
    host, port = str(admin.host), int(admin.port or 5432)
    url = f"postgresql+psycopg://{owner}:{owner_pw}@{host}:{port}/{dbname}"
    return OwnedDatabase(url, dbname, host, port)
