"""Opening a school's database the way the app does: :func:`sendesk.db.open_database` with
what only the services know about an upgrade.

``db.py`` sits below the services and imports none of them, so it takes two hooks: the
backup made before an upgrade carries the audit chain's anchor of that moment (as every
backup does, see :mod:`sendesk.services.store.audit_anchor`), and after a server's schema is
upgraded the new tables get the same grants and row policies as the old ones (otherwise
a new table is the owner's alone: safe, but unusable). The imports stay inside the hooks:
a current file must open without importing SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path

from sendesk.db import Database, Target
from sendesk.db import open_database as _open_database


def backup_before_upgrade(db: Database, dest: Path) -> object:
    """The backup a file gets before its schema is upgraded: a full one, anchor and all."""
    from sendesk.services.store.backup import backup_file

    return backup_file(db, dest)


def resecure(db: Database) -> None:
    """After a migration on a server whose roles SENDesk set up, grant and police the new
    schema the same way; a file or a server SENDesk did not set up is left alone."""
    if db.is_file:
        return
    from sendesk.services.store import pg_security

    with db.engine.connect() as conn:
        secured = pg_security.is_secured(conn)
    if secured:
        pg_security.apply(db.engine)


def open_database(
    target: Target | str,
    key: str | None = None,
    *,
    upgrade: bool = True,
    backup_dir: Path | None = None,
) -> Database:
    """Open an existing SENDesk database (see :func:`sendesk.db.open_database`), upgrading
    an older schema after a full backup and re-securing a server's new tables."""
    return _open_database(
        target,
        key,
        upgrade=upgrade,
        backup_dir=backup_dir,
        backup=backup_before_upgrade,
        after_upgrade=resecure,
    )
