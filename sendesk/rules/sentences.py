"""Problems as sentences: the one way every check's findings reach a user.

Rules and services list problems as lower-case clauses ("the start date is after the end
date"); a refusal joins them into one sentence, a form beside its fields shows each as its
own. Kept in ``rules`` so the pure checks and the services share the same words.
"""

from __future__ import annotations

from collections.abc import Iterable


def sentence(problems: Iterable[str]) -> str:
    """Problems joined into one sentence: capital first letter, full stop at the end."""
    text = "; ".join(problems)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def as_sentences(problems: Iterable[str]) -> list[str]:
    """Each problem as a sentence of its own, for a list shown beside a form."""
    return [p[:1].upper() + p[1:] + ("" if p.endswith(".") else ".") for p in problems]


def as_clause(text: str) -> str:
    """A sentence (a refusal's message) back as a clause, to put after where it is about:
    "the group 'Y8 reading': the end date is before the start date"."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


def first_problems(problems: Iterable[str], limit: int = 5) -> str:
    """A long list of problems (a whole history checked at once) as one sentence naming
    the first ``limit`` and how many more, not a page."""
    found = list(problems)
    more = len(found) - limit
    return sentence(found[:limit] + ([f"{more} more problem(s)"] if more > 0 else []))
