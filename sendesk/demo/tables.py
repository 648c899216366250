"""The demo school's text tables, read from JSON files in ``resources/demo/``.

Names, phrases, outcomes and advice are data, not logic: kept apart they can be read,
reviewed and extended without scrolling past hundreds of lines of strings, and the
generators stay short. JSON has only lists, so :func:`tuples` turns them back into the
tuples the generators declare (a table must not be changed by accident once loaded).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from sendesk.resource_files import resource_path


@cache
def load(name: str) -> dict[str, Any]:
    """The tables of ``resources/demo/<name>.json`` (a JSON object, a key per table), read once."""
    text = resource_path("demo", f"{name}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def tuples(value: Any) -> Any:
    """``value`` with every JSON list, however deep, made a tuple (objects stay dicts)."""
    if isinstance(value, list):
        return tuple(tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: tuples(item) for key, item in value.items()}
    return value
