"""The demo's name book: forenames and surnames from the many languages of an English
town (``resources/demo/names.json``), with their Latin forms for usernames and e-mail addresses."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from sendesk.resource_files import resource_path

# --- the name book -------------------------------------------------------------------------

Name = tuple[str, str]
"""A name as stored, and its Latin form (for usernames and e-mail addresses)."""

_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ø": "o", "Ø": "O", "ß": "ss"}
)


def _latin(text: str) -> str:
    """``text`` without diacritics ("Łukasz" -> "Lukasz"); other scripts are left alone."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: the stuff of usernames and e-mail."""
    return re.sub(r"[^a-z0-9]", "", _latin(text).lower())


def _name(raw: str | list[str]) -> Name:
    if isinstance(raw, str):
        return (raw, _latin(raw))
    return (raw[0], raw[1])


@dataclass(frozen=True)
class _Surname:
    male: Name
    female: Name
    mother: Name


def _surname(raw: str | list[str] | dict[str, Any]) -> _Surname:
    if isinstance(raw, dict):
        male, female = _name(raw["M"]), _name(raw["F"])
        return _Surname(male, female, _name(raw["mother"]) if "mother" in raw else female)
    same = _name(raw)
    return _Surname(same, same, same)


@dataclass(frozen=True)
class _Origin:
    key: str
    weight: float
    eal: float
    mother_own_surname: float
    forenames: dict[str, tuple[Name, ...]]
    adult_forenames: dict[str, tuple[Name, ...]]
    surnames: tuple[_Surname, ...]
    mother_surnames: tuple[Name, ...]
    script_share: float
    script_forenames: dict[str, tuple[Name, ...]]
    script_surnames: tuple[_Surname, ...]
    english_share: float
    english_names: dict[str, tuple[str, ...]]


def _by_gender(raw: dict[str, list[Any]] | None) -> dict[str, tuple[Name, ...]]:
    if not raw:
        return {}
    return {g: tuple(_name(n) for n in raw[g]) for g in ("F", "M")}


@dataclass(frozen=True)
class _NameBook:
    origins: tuple[_Origin, ...]
    cum_weights: tuple[float, ...]
    nicknames: dict[str, str]

    def pick(self, rng: random.Random) -> _Origin:
        return rng.choices(self.origins, cum_weights=self.cum_weights)[0]


@cache
def _name_book() -> _NameBook:
    """``resources/demo/names.json``, read once."""
    text = resource_path("demo", "names.json").read_text("utf-8")
    data = json.loads(text)
    origins = []
    for key, raw in data["origins"].items():
        script = raw.get("native_script", {})
        english = raw.get("english_names", {})
        origins.append(
            _Origin(
                key=key,
                weight=float(raw["weight"]),
                eal=float(raw["eal"]),
                mother_own_surname=float(raw.get("mother_own_surname", 0.0)),
                forenames=_by_gender(raw["forenames"]),
                adult_forenames=_by_gender(raw.get("adult_forenames") or raw["forenames"]),
                surnames=tuple(_surname(s) for s in raw["surnames"]),
                mother_surnames=tuple(_name(s) for s in raw.get("mother_surnames", [])),
                script_share=float(script.get("share", 0.0)),
                script_forenames=_by_gender(script.get("forenames")),
                script_surnames=tuple(_surname(s) for s in script.get("surnames", [])),
                english_share=float(english.get("share", 0.0)),
                english_names={g: tuple(english.get(g, [])) for g in ("F", "M")},
            )
        )
    cum: list[float] = []
    total = 0.0
    for origin in origins:
        total += origin.weight
        cum.append(total)
    return _NameBook(tuple(origins), tuple(cum), dict(data.get("nicknames", {})))
