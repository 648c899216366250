"""Errors a user may see: each carries one clear sentence and nothing else.

The CLI prints ``str(error)`` and exits non-zero; the GUI shows it in a message box. Keep
messages free of pupils' names: they can end up in a terminal scroll-back or a ticket.
"""

from __future__ import annotations


class SendeskError(Exception):
    """Base of every error that is the user's to fix (not a bug)."""

    exit_code = 1


class NotADatabaseError(SendeskError):
    """The path or URL holds no SENDesk database (or nothing at all)."""


class WrongKeyError(SendeskError):
    """The file is encrypted with another key, or is not a database at all."""


class KeyUnavailableError(SendeskError):
    """No key was given and none could be found in the OS keyring."""


class SchemaTooNewError(SendeskError):
    """The database was made by a newer SENDesk than this one."""


class ValidationError(SendeskError):
    """Input broke a rule; the message names the field (and row, for imports)."""

    exit_code = 2


class PermissionDeniedError(SendeskError):
    """The acting user's role does not allow this."""

    exit_code = 3


class ConflictError(SendeskError):
    """Someone else saved the same record first (optimistic locking)."""


class NotFoundError(SendeskError):
    """A named record (pupil, user…) does not exist."""


class DatabaseBusyError(SendeskError):
    """Another program kept the database file locked for longer than SENDesk waits."""


class CancelledError(SendeskError):
    """The user cancelled a long job; nothing it was writing was kept."""
