"""The app's own settings file: which database to open, and where the user last saved a
pack. Never a key, never a password, never anything about a pupil.

Kept in the user's config folder (platformdirs); ``SENDESK_CONFIG_DIR`` moves it (tests,
portable installs). A PostgreSQL URL is saved without its password: use a ~/.pgpass file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

CONFIG_ENV = "SENDESK_CONFIG_DIR"


@dataclass
class AppSettings:
    database: str | None = None
    last_username: str | None = None
    pack_folder: str | None = None
    """The folder the last EHC pack was built into, so the next pack starts there (a path
    on this computer, chosen by the user; a pupil's name is in the files, never here)."""


def config_path() -> Path:
    folder = os.environ.get(CONFIG_ENV)
    if folder:
        return Path(folder) / "settings.json"
    import platformdirs

    return Path(platformdirs.user_config_dir("SENDesk", appauthor=False)) / "settings.json"


def load_settings() -> AppSettings:
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return AppSettings()
    if not isinstance(data, dict):
        return AppSettings()
    return AppSettings(
        database=data.get("database") or None,
        last_username=data.get("last_username") or None,
        pack_folder=data.get("pack_folder") or None,
    )


def without_password(target: str) -> str:
    """A database URL with any password removed (paths are returned unchanged)."""
    if "://" not in target:
        return target
    from sqlalchemy.engine import make_url  # only for server URLs: a file needs no SQLAlchemy

    url = make_url(target)
    return url.set(password=None).render_as_string(hide_password=False)


def save_settings(settings: AppSettings) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(settings)
    if settings.database:
        data["database"] = without_password(settings.database)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)
