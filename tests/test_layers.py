"""No import runs upward (issue 14): each layer imports only the layers below it.

Lowest first: ``rules`` → ``db`` and ``models`` → ``services`` → ``reports`` →
``operations`` (and ``demo``, a caller of the services) → ``cli`` and ``ui``. An upward
import makes a loop in which a change to a screen can break a rule, and hides which module
owns what. The test reads the source with ``ast``, so it also catches imports inside
functions (the usual way round a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SENDESK = Path(__file__).resolve().parents[1] / "sendesk"


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file, as absolute dotted names."""
    package = ".".join(path.relative_to(SENDESK.parent).with_suffix("").parts[:-1])
    return imported_by(path.read_text("utf-8"), package)


def imported_by(text: str, package: str) -> set[str]:
    """The modules ``text`` (a module of ``package``) imports, relative ones made absolute."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def sources(where: str) -> list[Path]:
    path = SENDESK / where
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def offences(where: str, forbidden: tuple[str, ...]) -> list[str]:
    """``file: module`` for each import under ``where`` of anything under ``forbidden``."""
    found = []
    for path in sources(where):
        for name in sorted(imported(path)):
            if any(under(name, prefix) for prefix in forbidden):
                found.append(f"{path.relative_to(SENDESK.parent)}: {name}")
    return found


ABOVE_SERVICES = ("sendesk.reports", "sendesk.operations", "sendesk.demo", "sendesk.cli")
UI = ("sendesk.ui", "PySide6")
RULES = [
    ("db.py", ("sendesk.services", *ABOVE_SERVICES, *UI)),
    ("rules", ("sendesk.services", "sendesk.db", *ABOVE_SERVICES, *UI)),
    ("services", (*ABOVE_SERVICES, *UI)),
    ("reports", ("sendesk.operations", "sendesk.demo", "sendesk.cli", *UI)),
    ("operations", ("sendesk.demo", "sendesk.cli", *UI)),
    ("demo", ("sendesk.reports", "sendesk.operations", "sendesk.cli", *UI)),
]


@pytest.mark.parametrize(("where", "forbidden"), RULES, ids=[where for where, _ in RULES])
def test_no_import_runs_upward(where: str, forbidden: tuple[str, ...]) -> None:
    assert offences(where, forbidden) == []


def test_the_check_sees_imports_inside_functions() -> None:
    """An import hidden in a function body, or relative, counts like one at the top."""
    text = "def f():\n    from ..ui import app\n    import PySide6.QtCore\n"
    names = imported_by(text, "sendesk.services")
    assert "sendesk.ui.app" in names
    assert "PySide6.QtCore" in names
    assert "sendesk/db.py: sendesk.errors" in offences("db.py", ("sendesk.errors",))
