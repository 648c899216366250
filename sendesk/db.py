"""Engine and session factory for SENDesk databases: SQLCipher files or PostgreSQL by URL.

Everything about *opening* a database lives here: telling a wrong key from a file that is
not ours, refusing to create stray files, upgrading an older schema (after a backup) and
refusing a newer one. Services receive a :class:`Database` and open one short-lived
``Session`` per operation.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sendesk.errors import NotADatabaseError, SchemaTooNewError, SendeskError, WrongKeyError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

HEAD_REVISION = "0004"
"""The newest migration. Known here so opening a current database needs no Alembic import
(a quarter of a second at start-up); tests check it against the migrations folder."""

SQLITE_MAGIC = b"SQLite format 3\x00"
DB_ENV_VAR = "SENDESK_DB"
SENDESK_TABLES = ("alembic_version", "school")


@dataclass(frozen=True)
class Target:
    """Where a database lives: a SQLCipher file (``path``) or a PostgreSQL URL."""

    url: URL
    path: Path | None

    @property
    def is_file(self) -> bool:
        return self.path is not None

    def describe(self) -> str:
        """A name for messages; never includes a password."""
        if self.path is not None:
            return str(self.path)
        return self.url.render_as_string(hide_password=True)


def parse_target(value: str) -> Target:
    """Read a ``--db`` value: a file path, or a SQLAlchemy URL for PostgreSQL."""
    value = value.strip()
    if not value:
        raise NotADatabaseError("No database given: pass --db PATH or set SENDESK_DB.")
    if "://" not in value:
        return Target(URL.create("sqlite+pysqlcipher", database=value), Path(value))
    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise NotADatabaseError(f"'{value}' is not a database path or URL.") from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.get_driver_name() != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
        return Target(url, None)
    if url.drivername == "sqlite+pysqlcipher" and url.database:
        return Target(URL.create("sqlite+pysqlcipher", database=url.database), Path(url.database))
    raise NotADatabaseError(
        f"Unsupported database URL '{url.render_as_string(hide_password=True)}': use a file "
        "path (encrypted with SQLCipher) or postgresql+psycopg://…"
    )


def sqlite_quote(text: str) -> str:
    """A SQL string literal (for PRAGMA/ATTACH, which cannot take bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


_quietened = False


def _quiet_sqlcipher() -> None:
    """Stop SQLCipher printing its own log lines to stderr (e.g. on a wrong key).

    The setting is process-wide; we report failures ourselves in one clear sentence.
    """
    global _quietened
    if _quietened:
        return
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
    finally:
        conn.close()
    _quietened = True


def _make_engine(target: Target, key: str | None) -> Engine:
    if target.path is None:
        return create_engine(target.url, pool_pre_ping=True)
    if not key:
        raise WrongKeyError(f"No key was given for {target.path}.")
    _quiet_sqlcipher()
    url = target.url.set(password=key)
    # The dialect's SingletonThreadPool keeps one connection per thread, so the key
    # derivation (PBKDF2 for a passphrase) is paid once per thread, not once per query.
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so DDL (migrations) is transactional
        # too: SQLAlchemy's documented recipe for pysqlite-style drivers.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


class Database:
    """An open SENDesk database: the engine, and sessions made from it."""

    def __init__(self, target: Target, engine: Engine, key: str | None) -> None:
        self.target = target
        self.engine = engine
        self._key = key
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def is_file(self) -> bool:
        return self.target.is_file

    @property
    def key(self) -> str | None:
        """The SQLCipher key (kept in memory only, for backups that must match it)."""
        return self._key

    def session(self) -> Session:
        """A new Session; use ``with db.session() as s, s.begin():`` for one transaction."""
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One Session and one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()


# --- Alembic (imported only when a schema is created, upgraded or compared) --------------


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of SENDesk knows."""
    return HEAD_REVISION


def script_head_revision() -> str | None:
    """The newest revision as the migrations folder says (what HEAD_REVISION must equal)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, read straight from Alembic's version table."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_to_head(engine: Engine) -> None:
    """Run every pending migration in one transaction (DDL included)."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


# --- opening and creating ------------------------------------------------------------


def _check_file_header(path: Path) -> None:
    """Refuse what is plainly not ours before SQLCipher touches it."""
    if not path.exists():
        raise NotADatabaseError(
            f"{path} does not exist: create a school database with 'sendesk init' first."
        )
    if path.is_dir():
        raise NotADatabaseError(f"{path} is a folder, not a SENDesk database.")
    with path.open("rb") as fh:
        head = fh.read(16)
    if not head:
        raise NotADatabaseError(f"{path} is an empty file, not a SENDesk database.")
    if head == SQLITE_MAGIC:
        raise NotADatabaseError(
            f"{path} is a plain (unencrypted) SQLite file, not a SENDesk database."
        )


def _probe(engine: Engine, target: Target) -> list[str]:
    """Connect and list the tables; translate failures into one clear sentence."""
    try:
        with engine.connect() as conn:
            return list(inspect(conn).get_table_names())
    except DBAPIError as exc:
        if target.path is not None:
            raise WrongKeyError(
                f"{target.path} could not be opened: the key is wrong, or the file is not a "
                "SENDesk database."
            ) from exc
        raise NotADatabaseError(
            f"Could not connect to {target.describe()}: {str(exc.orig).strip().splitlines()[0]}"
        ) from exc


def open_database(
    target: Target | str,
    key: str | None = None,
    *,
    upgrade: bool = True,
    backup_dir: Path | None = None,
) -> Database:
    """Open an existing SENDesk database, upgrading its schema if it is older.

    Nothing is created or changed when the path holds no SENDesk database, the key is
    wrong, or the schema is newer than this SENDesk. Before an upgrade, a file database is
    backed up beside itself (or into ``backup_dir``).
    """
    if isinstance(target, str):
        target = parse_target(target)
    if target.path is not None:
        _check_file_header(target.path)
    engine = _make_engine(target, key)
    try:
        tables = _probe(engine, target)
        missing = [t for t in SENDESK_TABLES if t not in tables]
        if missing:
            raise NotADatabaseError(
                f"{target.describe()} is not a SENDesk database (it has no SENDesk tables)."
            )
        try:
            current = current_revision(engine)
        except DBAPIError as exc:
            raise NotADatabaseError(
                f"{target.describe()} is damaged and cannot be read "
                f"({str(exc.orig).strip()}); restore it from a backup."
            ) from exc
        head = head_revision()
        if current != head and current not in known_revisions():
            raise SchemaTooNewError(
                f"{target.describe()} was made by a newer SENDesk (schema {current}); "
                "install the newer SENDesk to open it."
            )
        db = Database(target, engine, key)
        if current != head and upgrade:
            if target.path is not None:
                from sendesk.services.backup import backup_file  # cycle: backup needs Database

                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                folder = backup_dir or target.path.parent
                dest = folder / f"{target.path.name}.before-upgrade-{current}-{stamp}.bak"
                backup_file(db, dest)
                log.info("backed up before upgrade to %s", dest)
            upgrade_to_head(engine)
        return db
    except BaseException:
        engine.dispose()
        raise


def create_database(target: Target | str, key: str | None = None) -> Database:
    """Make a new, empty SENDesk schema; refuses to touch an existing file or database."""
    if isinstance(target, str):
        target = parse_target(target)
    path = target.path
    if path is not None:
        if path.exists():
            raise NotADatabaseError(f"{path} already exists: choose a new file name.")
        if not path.parent.exists():
            raise NotADatabaseError(f"The folder {path.parent} does not exist.")
    engine = _make_engine(target, key)
    try:
        tables = _probe(engine, target)
        if "alembic_version" in tables or "school" in tables:
            raise NotADatabaseError(f"{target.describe()} already holds a SENDesk database.")
        upgrade_to_head(engine)
    except BaseException:
        engine.dispose()
        if path is not None and path.exists():
            path.unlink()
        raise
    return Database(target, engine, key)


def schema_differences(db: Database) -> list[str]:
    """Differences between the live schema and the models (empty when they match)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from sendesk.models import Base

    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, Base.metadata)
    return [repr(d) for d in diffs]


def default_database_path() -> Path:
    """Where the GUI keeps the school's database when the user does not choose."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir("SENDesk", appauthor=False))
    return folder / "school.sendesk"


def target_from_env_or(value: str | None) -> str:
    """The ``--db`` value, or ``SENDESK_DB`` when the option was not given."""
    chosen = value or os.environ.get(DB_ENV_VAR)
    if not chosen:
        raise SendeskError(f"No database given: pass --db PATH or set {DB_ENV_VAR}.")
    return chosen


__all__ = [
    "Database",
    "OperationalError",
    "Target",
    "create_database",
    "open_database",
    "parse_target",
]
