"""Where a database's encryption key comes from.

Order of preference (DESIGN.md): ``SENDESK_DB_KEY`` for scripts and CI, then the OS keyring,
then a passphrase typed by the user. A key is never written to a file.

A key is a plain SQLCipher key, exactly as the ``sqlcipher`` shell takes it in
``PRAGMA key``: either a passphrase, or ``x'…'`` with 64 hex digits for a raw 32-byte key.
That keeps every school's data openable with the standard tool for disaster recovery.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from sendesk.errors import KeyUnavailableError

ENV_VAR = "SENDESK_DB_KEY"
SERVICE = "SENDesk"

PassphrasePrompt = Callable[[str, bool], str | None]
"""Asks the user for a passphrase: (message, confirm_twice) -> passphrase or None."""


def new_raw_key() -> str:
    """A fresh random 32-byte key in SQLCipher's raw-key syntax (no key derivation cost)."""
    return "x'" + secrets.token_hex(32).upper() + "'"


def key_id(path: Path) -> str:
    """The keyring entry name for a database file: its absolute path."""
    return str(path.expanduser().resolve())


def keyring_usable() -> bool:
    """True when a real OS keyring backend is available (not the 'fail' or 'null' one)."""
    backend: KeyringBackend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if "fail" in name.lower() or "null" in name.lower():
        return False
    try:
        return float(backend.priority) > 0  # type: ignore[arg-type]
    except Exception:
        return False


def keyring_name() -> str:
    """A human name for the keyring in use, for the set-up screen and `sendesk` messages."""
    backend = keyring.get_keyring()
    return getattr(backend, "name", type(backend).__name__)


def stored_key(path: Path) -> str | None:
    """The key kept in the OS keyring for this database file, if any."""
    if not keyring_usable():
        return None
    try:
        return keyring.get_password(SERVICE, key_id(path))
    except keyring.errors.KeyringError:
        return None


def store_key(path: Path, key: str) -> bool:
    """Keep the key in the OS keyring; False when there is no usable keyring."""
    if not keyring_usable():
        return False
    try:
        keyring.set_password(SERVICE, key_id(path), key)
    except keyring.errors.KeyringError:
        return False
    return True


def forget_key(path: Path) -> None:
    """Remove a database's key from the keyring (used when a half-made database is removed)."""
    if not keyring_usable():
        return
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, key_id(path))


MIN_PASSPHRASE = 10
"""The shortest passphrase a new database may have (the prompt, the wizard, the
environment variable and :func:`sendesk.db.create_database` all hold to it)."""

_RAW_KEY = re.compile(r"x'[0-9A-Fa-f]{64}'")


def key_problem(key: str) -> str | None:
    """Why ``key`` may not protect a new database, or None: a raw key must be x'…' with
    64 hex digits; a passphrase needs at least :data:`MIN_PASSPHRASE` characters."""
    if key.startswith("x'") or key.startswith("X'"):
        if not _RAW_KEY.fullmatch("x" + key[1:]):
            return "A raw key must be written x'…' with exactly 64 hex digits."
        return None
    if len(key) < MIN_PASSPHRASE:
        return f"A passphrase must be at least {MIN_PASSPHRASE} characters long."
    return None


def env_key() -> str | None:
    """The key from ``SENDESK_DB_KEY``, if set and not empty."""
    value = os.environ.get(ENV_VAR)
    return value if value else None


def key_for_existing(path: Path, prompt: PassphrasePrompt | None = None) -> str:
    """Find the key of an existing database file: env, then keyring, then ask."""
    key = env_key() or stored_key(path)
    if key:
        return key
    if prompt is not None:
        typed = prompt(f"Passphrase for {path.name}", False)
        if typed:
            return typed
    raise KeyUnavailableError(
        f"No key for {path}: set {ENV_VAR}, or open it on the account whose keyring holds "
        "its key, or type its passphrase."
    )


def key_for_new(path: Path, prompt: PassphrasePrompt | None = None) -> tuple[str, str]:
    """Choose the key for a new database; returns (key, where it is kept, in words).

    ``SENDESK_DB_KEY`` wins (scripts, CI). Otherwise a random raw key goes into the OS
    keyring. Without a usable keyring the user must choose a passphrase: we never fall back
    to writing the key to disk.
    """
    key = env_key()
    if key:
        problem = key_problem(key)
        if problem:
            raise KeyUnavailableError(f"{ENV_VAR} cannot protect a new database: {problem}")
        return key, f"the {ENV_VAR} environment variable"
    if keyring_usable():
        key = new_raw_key()
        if store_key(path, key):
            return key, f"the system keyring ({keyring_name()})"
    if prompt is not None:
        typed = prompt(f"No system keyring is available. Choose a passphrase for {path.name}", True)
        if typed:
            return typed, "your passphrase (SENDesk does not keep it: do not lose it)"
    raise KeyUnavailableError(
        f"No system keyring is available to keep the key of {path.name}: set {ENV_VAR} "
        "to a passphrase (or x'…' with 64 hex digits) and run the command again."
    )
