"""Every file SENDesk reads from ``resources/`` is there, found through one module.

Why: the fonts, census rules, icon and demo-school recipe moved to the repository's
top-level ``resources/`` (DESIGN.md), and the app runs from a checkout, an installed wheel
and a PyInstaller bundle. A reader that builds its own path, or a file the code names but
nobody shipped, shows up at a school as a missing font or an empty census check; here it
fails first. (That the wheel and the bundle carry the folder is checked by CI, which
installs one and builds the other and runs them.)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sendesk.demo.graduated import agencies
from sendesk.reports.pdf_layout import FONT_DIR, register_fonts
from sendesk.resource_files import resource_path, resource_root
from sendesk.rules.census_check import RULES_FILE, rules
from sendesk.ui.app import APP_ICON, application

REPOSITORY = Path(__file__).resolve().parents[1]
DEMO_TABLES = ("access", "concerns", "ehc", "graduated", "names", "profiles", "school")
"""Every ``load(...)`` / names-book table the demo modules read."""


def test_a_checkout_reads_the_top_level_resources_folder() -> None:
    assert resource_root() == REPOSITORY / "resources"
    assert not (REPOSITORY / "sendesk" / "resources").exists()  # one copy, not two


def test_every_font_the_pdfs_use_is_there_with_its_licence() -> None:
    assert resource_path("fonts") == FONT_DIR
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (FONT_DIR / name).is_file(), name
    assert register_fonts() == ("SENDeskSans", "SENDeskSans-Bold")
    assert resource_path("fonts", "DejaVuSans.ttf") in agencies.FONT_FILES  # the demo's


def test_the_census_rules_are_read_from_the_resources_folder() -> None:
    written = json.loads((REPOSITORY / "resources" / "census_rules.json").read_text("utf-8"))
    assert resource_path(RULES_FILE) == REPOSITORY / "resources" / "census_rules.json"
    assert list(rules()) == [rule["key"] for rule in written["rules"]]
    assert rules()["upn-missing"].kind == "error"


def test_every_demo_table_is_there_and_no_other() -> None:
    folder = resource_path("demo")
    assert sorted(path.stem for path in folder.glob("*.json")) == sorted(DEMO_TABLES)


def test_the_icon_is_there_in_every_format_a_build_uses() -> None:
    for name in ("sendesk.svg", "sendesk.png", "sendesk.ico"):  # source, Qt, Windows exe
        assert resource_path("icons", name).is_file(), name
    assert resource_path("icons", "sendesk.png") == APP_ICON


def test_every_window_has_the_sendesk_icon(qtbot: QtBot) -> None:
    icon = application().windowIcon()
    assert not icon.isNull()
    assert icon.pixmap(64, 64).width() == 64


@pytest.fixture
def bundle(tmp_path: Path) -> Iterator[Path]:
    """A PyInstaller-like run: the boot loader sets ``sys._MEIPASS`` to the bundle."""
    resource_root.cache_clear()
    sys._MEIPASS = str(tmp_path)  # type: ignore[attr-defined]
    try:
        yield tmp_path
    finally:
        del sys._MEIPASS  # type: ignore[attr-defined]
        resource_root.cache_clear()


def test_a_pyinstaller_bundle_reads_resources_from_its_data_folder(bundle: Path) -> None:
    assert resource_path("fonts", "DejaVuSans.ttf") == bundle / "resources/fonts/DejaVuSans.ttf"
