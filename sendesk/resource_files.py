"""Where SENDesk's own files are: fonts, census rules, icons, the demo-school recipe.

Why one module: the files live in the repository's top-level ``resources/`` folder, and
the app runs three ways that each put that folder somewhere else —

* from a source checkout or an editable install (``pip install -e .``): ``resources/``
  next to the ``sendesk`` package folder;
* from a plain install (``pip install .``, a wheel): the wheel carries the folder as the
  package ``sendesk.resources`` (setup.py maps it), so it is inside the package folder;
* from the PyInstaller build (``build.spec``): the bundle keeps it as ``resources/`` in the
  bundle's data folder, ``sys._MEIPASS``.

Every reader asks :func:`resource_path`, so a new way of running the app is one change
here, and a file the code reads but no build carries is caught by one test
(tests/test_resource_files.py) instead of by a school.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_root() -> Path:
    """The ``resources`` folder of the running SENDesk (looked up once).

    The package's own ``resources`` folder comes before the one beside it: in an
    installed wheel the folder beside the package is site-packages' ``resources``, which
    could belong to any other package.
    """
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's boot loader
    if bundle is not None:
        return Path(bundle) / "resources"
    installed = _PACKAGE / "resources"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>``, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``.

    It is not checked here that the file exists: the caller says what is missing in its
    own words (a font, the census rules).
    """
    return resource_root().joinpath(*parts)
