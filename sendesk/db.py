"""Engine and session factory for SENDesk databases: SQLCipher files or PostgreSQL by URL.

Everything about *opening* a database lives here: telling a wrong key from a file that is
not ours, refusing to create stray files, upgrading an older schema (after a backup) and
refusing a newer one. Services receive a :class:`Database` and open one short-lived
``Session`` per operation.

Why SQLAlchemy is imported only when first needed: importing it (and the models) costs
more than half a second, more than Qt takes to show a window. Opening a SQLCipher file
and the reads the main window needs at start-up (the school, the signed-in user, the
register) go through :meth:`Database.reading`, plain SQL on the driver's own connection;
the engine and its sessions are made the first time a service asks for one, after the
window is on screen.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendesk.errors import (
    DatabaseBusyError,
    NotADatabaseError,
    SchemaTooNewError,
    SendeskError,
    WrongKeyError,
)

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

HEAD_REVISION = "0011"
"""The newest migration. Known here so opening a current database needs no Alembic import
(a quarter of a second at start-up); tests check it against the migrations folder."""

SQLITE_MAGIC = b"SQLite format 3\x00"
DB_ENV_VAR = "SENDESK_DB"
SENDESK_TABLES = ("alembic_version", "school")


@dataclass(frozen=True)
class Target:
    """Where a database lives: a SQLCipher file (``path``) or a PostgreSQL URL."""

    path: Path | None
    server_url: URL | None = None
    """The PostgreSQL URL (``postgresql+psycopg``); None for a file."""

    @property
    def is_file(self) -> bool:
        return self.path is not None

    @property
    def url(self) -> URL:
        """The SQLAlchemy URL (made on demand: a file target needs no SQLAlchemy import)."""
        if self.server_url is not None:
            return self.server_url
        from sqlalchemy.engine import URL

        return URL.create("sqlite+pysqlcipher", database=str(self.path))

    def describe(self) -> str:
        """A name for messages; never includes a password."""
        if self.path is not None:
            return str(self.path)
        assert self.server_url is not None
        return self.server_url.render_as_string(hide_password=True)


def parse_target(value: str) -> Target:
    """Read a ``--db`` value: a file path, or a SQLAlchemy URL for PostgreSQL."""
    value = value.strip()
    if not value:
        raise NotADatabaseError("No database given: pass --db PATH or set SENDESK_DB.")
    if "://" not in value:
        return Target(Path(value))
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise NotADatabaseError(f"'{value}' is not a database path or URL.") from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.get_driver_name() != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
        return Target(None, url)
    if url.drivername == "sqlite+pysqlcipher" and url.database:
        return Target(Path(url.database))
    raise NotADatabaseError(
        f"Unsupported database URL '{url.render_as_string(hide_password=True)}': use a file "
        "path (encrypted with SQLCipher) or postgresql+psycopg://…"
    )


BUSY_TIMEOUT_MS = 30_000
"""How long a SQLCipher connection waits for another process's write to finish before it
gives up with :class:`~sendesk.errors.DatabaseBusyError` (an import of a whole school
takes a few seconds; 30 s covers it with room to spare)."""


BUSY_MESSAGE = (
    "The database is busy: another SENDesk (the app or a command) has been writing to it "
    f"for over {BUSY_TIMEOUT_MS // 1000} seconds; nothing was changed, try again when it "
    "has finished."
)


def _is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked"/"busy" (the driver has no separate error class)."""
    text = str(exc).lower()
    return type(exc).__name__ == "OperationalError" and (
        "database is locked" in text or "database is busy" in text
    )


def sqlite_quote(text: str) -> str:
    """A SQL string literal (for PRAGMA/ATTACH, which cannot take bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _key_pragma(key: str) -> str:
    """``PRAGMA key`` exactly as SQLAlchemy's pysqlcipher dialect sends it (a quoted
    identifier), so the plain connection and the engine's derive the same key."""
    return 'PRAGMA key = "' + key.replace('"', '""') + '"'


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


def _connect_file(path: Path, key: str) -> Any:
    """A plain sqlcipher3 connection to an existing file, keyed (not yet checked)."""
    import sqlcipher3

    _quiet_sqlcipher()
    # Shared between threads only to be closed by dispose(); each thread reads on its own.
    conn = sqlcipher3.connect(str(path), check_same_thread=False)
    conn.execute(_key_pragma(key))
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


_OWNER = "sendesk_owner_thread"
_NEEDS_ROLLBACK = "sendesk_needs_rollback"
_orphans: list[Any] = []
"""Connections whose owning thread was still alive when their database was disposed: kept
referenced (never closed or collected from the wrong thread) rather than risk a crash."""


def _live_threads() -> set[int | None]:
    return {t.ident for t in threading.enumerate()}


_thread_runners: dict[int, Any] = {}
"""For a thread that runs jobs (the GUI thread, the worker): how to hand it one, so that a
connection found by another thread's garbage collection is rolled back by its owner
promptly, not only at the owner's next checkout (its transaction would hold the file's
write lock till then)."""


_waitable: set[int] = set()


def set_thread_runner(ident: int, runner: Any, *, may_wait: bool = False) -> None:
    """Register ``runner(job)``, which makes thread ``ident`` call ``job()`` soon.

    ``may_wait``: another thread may block until the job has run (a worker thread, whose
    jobs never wait for others; not the GUI thread, which may itself be the one waiting).
    """
    _thread_runners[ident] = runner
    if may_wait:
        _waitable.add(ident)


def forget_thread_runner(ident: int) -> None:
    """The thread ``ident`` runs no more jobs (a stopped worker)."""
    _thread_runners.pop(ident, None)
    _waitable.discard(ident)


def _run_and_wait(ident: int, job: Any, timeout: float = 30.0) -> bool:
    """Run ``job`` on thread ``ident`` (a ``may_wait`` one) and wait; False if it cannot."""
    runner = _thread_runners.get(ident)
    if runner is None or ident not in _waitable or ident == threading.get_ident():
        return False
    done = threading.Event()

    def wrapped() -> None:
        try:
            job()
        finally:
            done.set()

    runner(wrapped)
    return done.wait(timeout)


def _roll_back_flagged(record: Any) -> None:
    if record.info.pop(_NEEDS_ROLLBACK, False) and record.dbapi_connection is not None:
        with contextlib.suppress(Exception):  # closed meanwhile: nothing left to undo
            record.dbapi_connection.rollback()


_pool_class: Any = None


def _thread_owned_pool() -> Any:
    """SQLAlchemy's SingletonThreadPool made safe for a GUI thread and a worker thread.

    The stock pool (the SQLite dialect's default) keeps one connection per thread but
    *closes other threads' connections*, in use or not, once more threads than its size
    (five) have connected, and hands a connection found by garbage collection back to the
    pool on the collecting thread. SQLCipher's C library crashed when that happened while
    the owning thread was using the connection (the GUI thread collecting garbage while a
    worker wrote a demo school). Here a connection is never closed by size, is closed only
    on its own thread (:meth:`release_thread`) or once that thread has ended, and is never
    forgotten while its thread lives (forgetting it would let the collector close it on
    whichever thread runs next).
    """
    global _pool_class
    if _pool_class is not None:
        return _pool_class
    from sqlalchemy.pool import SingletonThreadPool

    class ThreadOwnedPool(SingletonThreadPool):
        def __init__(self, creator: Any, pool_size: int = 5, **kw: Any) -> None:
            super().__init__(creator, pool_size=1 << 30, **kw)  # size never evicts

        def recreate(self) -> ThreadOwnedPool:
            return self.__class__(
                self._creator,
                recycle=self._recycle,
                echo=self.echo,
                pre_ping=self._pre_ping,
                logging_name=self._orig_logging_name,
                reset_on_return=self._reset_on_return,
                _dispatch=self.dispatch,
                dialect=self._dialect,
            )

        def _do_return_conn(self, record: Any) -> None:
            # The stock pool forgets the *returning thread's* current connection; a
            # connection returned by another thread's garbage collection must not make
            # that thread forget its own one in use.
            current = getattr(self._fairy, "current", None)
            fairy = current() if current is not None else None
            if fairy is None or fairy._connection_record is record:
                with contextlib.suppress(AttributeError):
                    del self._fairy.current

        def release_thread(self) -> None:
            """Close the calling thread's connection (on that thread, as it must be)."""
            current = getattr(self._conn, "current", None)
            record = current() if current is not None else None
            if record is None:
                return
            del self._conn.current
            self._all_conns.discard(record)
            record.close()

        def dispose(self) -> None:
            me, live = threading.get_ident(), _live_threads()
            for record in list(self._all_conns):
                owner = record.info.get(_OWNER)
                if owner == me or owner not in live:
                    with contextlib.suppress(Exception):  # a dead thread's: see above
                        record.close()
                else:
                    log.warning("a database connection outlived its disposal on a live thread")
                    _orphans.append(record)
            self._all_conns.clear()
            with contextlib.suppress(AttributeError):
                del self._conn.current

    _pool_class = ThreadOwnedPool
    return ThreadOwnedPool


def _make_engine(target: Target, key: str | None) -> Engine:
    from sqlalchemy import create_engine, event

    if target.path is None:
        # hide_parameters: an error's text never carries a pupil's name or date of birth
        # into a terminal, a log or a support ticket.
        return create_engine(target.url, pool_pre_ping=True, hide_parameters=True)
    if not key:
        raise WrongKeyError(f"No key was given for {target.path}.")
    _quiet_sqlcipher()
    url = target.url.set(password=key)
    # One connection per thread (the key derivation, PBKDF2 for a passphrase, is paid once
    # per thread), owned by that thread for good: see _thread_owned_pool. The pool does
    # not roll back on return itself; _on_reset does, on the owning thread only.
    engine = create_engine(
        url, hide_parameters=True, poolclass=_thread_owned_pool(), pool_reset_on_return=None
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        threading.current_thread()  # a thread Python did not start is listed from now on
        record.info[_OWNER] = threading.get_ident()
        # Take transaction control from the driver so DDL (migrations) is transactional
        # too: SQLAlchemy's documented recipe for pysqlite-style drivers.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, record: Any, _state: Any) -> None:
        # A connection comes back to the pool either from its own thread (a Session or
        # Connection closed) or from whichever thread's garbage collection found a Session
        # left unclosed. Only the owner may touch the C connection: from any other thread
        # the rollback is left for the owner's next checkout (_on_checkout).
        owner = None if record is None else record.info.get(_OWNER)
        if owner is None or owner == threading.get_ident():
            if dbapi_connection is not None:
                dbapi_connection.rollback()
            return
        record.info[_NEEDS_ROLLBACK] = True
        runner = _thread_runners.get(owner)
        if runner is not None:  # the owner rolls back soon: its write lock is released
            runner(lambda: _roll_back_flagged(record))

    @event.listens_for(engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop(_NEEDS_ROLLBACK, False):
            dbapi_connection.rollback()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE: a transaction takes the file's write lock when it begins, so a second
        # writer (another process: the app and the command line, two imports) waits its
        # turn under busy_timeout instead of failing at its first write with "database is
        # locked" — a deferred transaction that read first cannot wait for the lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        # Raising here replaces SQLAlchemy's exception, whose text would carry the SQL:
        # the user gets one sentence, and every screen already shows a SendeskError.
        if _is_busy(context.original_exception):
            raise DatabaseBusyError(BUSY_MESSAGE) from None

    return engine


def as_date(value: Any) -> date | None:
    """A DATE column's value from a plain read: SQLite hands back ISO text, PostgreSQL a
    ``date``; None stays None."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


class Reader:
    """Plain SQL reads on the driver's own connection (see the module docstring for why).

    SQL is written with ``?`` placeholders and only portable syntax; PostgreSQL's driver
    gets ``%s``. Only reads: every change goes through a Session, with its audit.
    """

    def __init__(self, connection: Any, *, qmark: bool) -> None:
        self._connection = connection
        self._qmark = qmark

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` as plain tuples."""
        if not self._qmark:
            sql = sql.replace("%", "%%").replace("?", "%s")
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()


class Database:
    """An open SENDesk database: the engine, and sessions made from it."""

    def __init__(self, target: Target, key: str | None, engine: Engine | None = None) -> None:
        self.target = target
        self._key = key
        self._engine = engine
        self._sessions: sessionmaker[Session] | None = None
        self._file_readers: dict[int, Any] = {}
        self._readers_lock = threading.Lock()

    @property
    def is_file(self) -> bool:
        return self.target.is_file

    @property
    def key(self) -> str | None:
        """The SQLCipher key (kept in memory only, for backups that must match it)."""
        return self._key

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made (and SQLAlchemy imported) on first use."""
        with self._readers_lock:  # two threads asking at once must not make two engines
            if self._engine is None:
                self._engine = _make_engine(self.target, self._key)
            return self._engine

    def _session_factory(self) -> sessionmaker[Session]:
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    def session(self) -> Session:
        """A new Session; use ``with db.session() as s, s.begin():`` for one transaction."""
        return self._session_factory()()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One Session and one transaction: committed on success, rolled back on error."""
        with self._session_factory()() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """A :class:`Reader` for plain reads outside any Session; every read inside one
        ``with`` sees the same snapshot (one read transaction), as in a Session.

        For a file: one sqlcipher3 connection per thread, kept until :meth:`dispose` (a
        passphrase's key derivation is then paid once, as with the engine's pool). For
        PostgreSQL: a pooled connection of the engine's, handed back afterwards (the pool
        rolls it back). A thread's connection is closed on that thread
        (:meth:`release_thread`), never by another one.
        """
        if self.target.path is not None:
            conn = self._file_reader()
            began = not conn.in_transaction
            try:
                if began:
                    conn.execute("BEGIN")
                try:
                    yield Reader(conn, qmark=True)
                except BaseException:
                    if began and conn.in_transaction:
                        with contextlib.suppress(Exception):  # the first error is the one
                            conn.execute("ROLLBACK")
                    raise
                if began and conn.in_transaction:
                    conn.execute("COMMIT")  # a read transaction: nothing is written
            except Exception as exc:
                if _is_busy(exc):
                    raise DatabaseBusyError(BUSY_MESSAGE) from None
                raise
        else:
            raw = self.engine.raw_connection()
            try:
                yield Reader(raw, qmark=False)
            finally:
                raw.close()

    def _file_reader(self) -> Any:
        assert self.target.path is not None
        if not self._key:
            raise WrongKeyError(f"No key was given for {self.target.path}.")
        with self._readers_lock:
            conn = self._file_readers.get(threading.get_ident())
            if conn is None:
                threading.current_thread()  # listed among live threads (see dispose)
                conn = _connect_file(self.target.path, self._key)
                self._file_readers[threading.get_ident()] = conn
            return conn

    def use_password(self, password: str) -> None:
        """Connect with ``password`` from now on: a server login whose password the user
        just changed (connections already open stay valid; new ones need the new one)."""
        if self.target.server_url is None:
            return
        self.target = Target(None, self.target.server_url.set(password=password))
        with self._readers_lock:
            old, self._engine, self._sessions = self._engine, None, None
        if old is not None:
            old.dispose()

    def release_thread(self) -> None:
        """Close the calling thread's own connections (its plain reader and its engine
        connection). A worker thread calls this before it ends or before the database is
        disposed: a SQLCipher connection must be closed on the thread that used it."""
        with self._readers_lock:
            conn = self._file_readers.pop(threading.get_ident(), None)
            engine = self._engine
        if conn is not None:
            conn.close()
        release = getattr(engine.pool, "release_thread", None) if engine is not None else None
        if release is not None:
            release()

    def dispose(self) -> None:
        """Close every connection: a worker thread's on that thread (it finishes the jobs
        it was given first), this thread's and ended threads' here. Any other live thread's
        are left to it (:meth:`release_thread`), never closed under it."""
        me = threading.get_ident()
        with self._readers_lock:
            owners = set(self._file_readers)
            pool = self._engine.pool if self._engine is not None else None
        for record in list(getattr(pool, "_all_conns", ())):
            owners.add(record.info.get(_OWNER))
        # A worker thread finishes the jobs it was given first (on PostgreSQL too: a job
        # still running would hand its connection back to a pool already disposed).
        for owner in (owners | _waitable) - {me, None}:
            if owner is not None:
                _run_and_wait(owner, self.release_thread)
        live = _live_threads()
        with self._readers_lock:
            readers, self._file_readers = dict(self._file_readers), {}
        for owner, conn in readers.items():
            if owner == me or owner not in live:
                conn.close()
            else:
                log.warning("a database reader outlived its disposal on a live thread")
                _orphans.append(conn)
        if self._engine is not None:
            self._engine.dispose()

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
    from sqlalchemy import text

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
    size = path.stat().st_size
    if size % MIN_PAGE_SIZE:
        # An encrypted file is whole pages; one that stops part-way through a page was cut
        # short (a copy or backup that did not finish). Say so: "the key is wrong" would
        # send the SENCo looking for another key.
        raise NotADatabaseError(
            f"{path} is damaged or is not a SENDesk database: it stops part-way through a "
            f"page ({size} bytes), as a copy or backup that was cut short does."
        )


MIN_PAGE_SIZE = 512
"""SQLite's smallest page: every database file's size is a multiple of it."""


def _wrong_key(path: Path) -> WrongKeyError:
    return WrongKeyError(
        f"{path} could not be opened: the key is wrong, or the file is not a SENDesk database."
    )


def _damaged(target: Target, exc: BaseException) -> NotADatabaseError:
    return NotADatabaseError(
        f"{target.describe()} is damaged and cannot be read ({str(exc).strip()}); "
        "restore it from a backup."
    )


def _file_schema(db: Database) -> tuple[list[str], str | None]:
    """A file's tables and schema revision, through the plain reader (no SQLAlchemy)."""
    import sqlcipher3

    assert db.target.path is not None
    try:
        with db.reading() as read:
            tables = [name for (name,) in read.rows(_TABLES_SQL)]
    except sqlcipher3.DatabaseError as exc:
        if "malformed" in str(exc):  # the key opened page 1; a later page is missing
            raise _damaged(db.target, exc) from exc
        raise _wrong_key(db.target.path) from exc
    if any(t not in tables for t in SENDESK_TABLES):
        return tables, None
    try:
        with db.reading() as read:
            found = read.rows("SELECT version_num FROM alembic_version")
    except sqlcipher3.DatabaseError as exc:
        raise _damaged(db.target, exc) from exc
    return tables, found[0][0] if found else None


_TABLES_SQL = "SELECT name FROM sqlite_master WHERE type = 'table'"


def _server_schema(db: Database) -> tuple[list[str], str | None]:
    """A PostgreSQL database's tables and schema revision (SQLAlchemy: it is imported
    anyway to talk to a server)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    try:
        with db.engine.connect() as conn:
            tables = list(inspect(conn).get_table_names())
    except DBAPIError as exc:
        raise NotADatabaseError(
            f"Could not connect to {db.target.describe()}: {str(exc.orig).strip().splitlines()[0]}"
        ) from exc
    if any(t not in tables for t in SENDESK_TABLES):
        return tables, None
    try:
        return tables, current_revision(db.engine)
    except DBAPIError as exc:
        raise _damaged(db.target, exc.orig) from exc


def open_database(
    target: Target | str,
    key: str | None = None,
    *,
    upgrade: bool = True,
    backup_dir: Path | None = None,
    backup: Callable[[Database, Path], object] | None = None,
    after_upgrade: Callable[[Database], None] | None = None,
) -> Database:
    """Open an existing SENDesk database, upgrading its schema if it is older.

    Nothing is created or changed when the path holds no SENDesk database, the key is
    wrong, or the schema is newer than this SENDesk. Before an upgrade, a file database is
    backed up beside itself (or into ``backup_dir``) by ``backup`` (a plain encrypted
    :func:`copy_database` when None). ``after_upgrade`` runs once the schema is current.
    Both are hooks because what they add (the audit anchor a backup carries, a server's
    grants) is the services' business, and this module sits below them: the app opens
    through :func:`sendesk.services.store.opening.open_database`, which passes both. A current
    file opens without importing SQLAlchemy or Alembic.
    """
    if isinstance(target, str):
        target = parse_target(target)
    if target.path is not None:
        _check_file_header(target.path)
        if not key:
            raise WrongKeyError(f"No key was given for {target.path}.")
    db = Database(target, key)
    try:
        tables, current = _file_schema(db) if target.path is not None else _server_schema(db)
        if any(t not in tables for t in SENDESK_TABLES):
            raise NotADatabaseError(
                f"{target.describe()} is not a SENDesk database (it has no SENDesk tables)."
            )
        head = head_revision()
        if current != head and current not in known_revisions():
            raise SchemaTooNewError(
                f"{target.describe()} was made by a newer SENDesk (schema {current}); "
                "install the newer SENDesk to open it."
            )
        if current != head and upgrade:
            if target.path is None and (target.url.username or "").startswith("sendesk_"):
                # A user's own login may not change the schema (services/store/pg_security.py).
                raise SendeskError(
                    f"{target.describe()} needs upgrading to this SENDesk's schema first: "
                    "ask the IT technician to open it once as the database's owner."
                )
            if target.path is not None:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                folder = backup_dir or target.path.parent
                dest = folder / f"{target.path.name}.before-upgrade-{current}-{stamp}.bak"
                (backup or copy_database)(db, dest)
                log.info("backed up before upgrade to %s", dest)
            upgrade_to_head(db.engine)
            if after_upgrade is not None:
                after_upgrade(db)
        return db
    except BaseException:
        db.dispose()
        raise


def _probe(engine: Engine, target: Target) -> list[str]:
    """Connect and list the tables; translate failures into one clear sentence."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            return list(inspect(conn).get_table_names())
    except DBAPIError as exc:
        if target.path is not None:
            raise _wrong_key(target.path) from exc
        raise NotADatabaseError(
            f"Could not connect to {target.describe()}: {str(exc.orig).strip().splitlines()[0]}"
        ) from exc


def private_file(path: Path) -> Path:
    """Create ``path`` empty, readable and writable by its owner only (0600), or refuse if
    it exists. SQLCipher then fills it (and copies its mode to its journal): a school's
    file or backup is never readable by every account on the computer, even encrypted."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return path


def copy_database(db: Database, dest: Path, *, finish: Callable[[Any], None] | None = None) -> Path:
    """Copy a SQLCipher database to ``dest`` (which must not exist), encrypted alike.

    ``sqlcipher_export`` writes into a new file keyed with the same key, so the copy is
    exactly as encrypted as its source and opens with the same key (and with the standard
    ``sqlcipher`` tool). It is written under a temporary name, readable by its owner only,
    and renamed when complete, so a crash never leaves half a copy. ``finish`` gets the
    cursor while the copy is attached as ``backup``, to write into it before it is closed
    (a backup stamps the audit chain's anchor there).
    """
    if not db.is_file or db.key is None:
        raise SendeskError(
            "Backups of a PostgreSQL database are made with the server's own tools "
            "(pg_dump); 'sendesk backup' copies encrypted database files."
        )
    dest = dest.expanduser()
    if dest.exists():
        raise SendeskError(f"{dest} already exists: choose a new backup file name.")
    if not dest.parent.exists():
        raise SendeskError(f"The folder {dest.parent} does not exist.")
    partial = dest.with_name(f".{dest.name}.partial")
    if partial.exists():
        partial.unlink()
    private_file(partial)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(
            f"ATTACH DATABASE {sqlite_quote(str(partial))} AS backup KEY {sqlite_quote(db.key)}"
        )
        try:
            cur.execute("SELECT sqlcipher_export('backup')")
            if finish is not None:
                finish(cur)
        finally:
            cur.execute("DETACH DATABASE backup")
        cur.close()
    except BaseException:
        if partial.exists():
            partial.unlink()
        raise
    finally:
        raw.close()
    os.replace(partial, dest)
    return dest


def create_database(target: Target | str, key: str | None = None) -> Database:
    """Make a new, empty SENDesk schema; refuses to touch an existing file or database."""
    if isinstance(target, str):
        target = parse_target(target)
    path = target.path
    if path is not None:
        from sendesk.keystore import key_problem

        problem = key_problem(key or "")
        if problem:
            raise WrongKeyError(f"Nothing was created: {problem}")
        if path.exists():
            raise NotADatabaseError(f"{path} already exists: choose a new file name.")
        if not path.parent.exists():
            raise NotADatabaseError(f"The folder {path.parent} does not exist.")
        private_file(path)
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
    return Database(target, key, engine)


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
    "Reader",
    "Target",
    "as_date",
    "create_database",
    "open_database",
    "parse_target",
]
