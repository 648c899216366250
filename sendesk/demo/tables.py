"""The demo school's text tables, read from JSON files in ``sendesk/demo/data/``.

Names, phrases, outcomes and advice are data, not logic: kept apart they can be read,
reviewed and extended without scrolling past hundreds of lines of strings, and the
generators stay short. JSON has only lists, so :func:`tuples` turns them back into the
tuples the generators declare (a table must not be changed by accident once loaded).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """The tables of ``data/<name>.json`` (one JSON object, a key per table), read once."""
    text = resources.files("sendesk.demo").joinpath(f"data/{name}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def tuples(value: Any) -> Any:
    """``value`` with every JSON list, however deep, made a tuple (objects stay dicts)."""
    if isinstance(value, list):
        return tuple(tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: tuples(item) for key, item in value.items()}
    return value
