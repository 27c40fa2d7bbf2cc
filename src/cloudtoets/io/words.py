"""The words for "not known" and "known: none" in an inventory (unknowns.md).

Every format reads them the same way, so the one validation path (``io.validate``) translates
them before the schema check: for a fact, ``onbekend``/``unknown`` (any case, trimmed) is
unknown, as if the field were left out; ``geen``/``none`` is a known "nothing" where a fact has
one (the ``none`` code, or ``[]`` for a list). ``geen`` for a fact that has no "nothing", such as
a yes/no question or a date, is an input error: it would be a guess at ``nee``. A list holding
only one of these words (a spreadsheet cell ``geen`` is read as the list ``["geen"]``) counts as
the word itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

from cloudtoets.domain.fields import describe_fields
from cloudtoets.domain.knowledge import (
    LIST_FACTS,
    NONE_CODE,
    NONE_CODED,
    ORGANISATION_FACTS,
    REGISTRATION_FACTS,
)
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.domain.vocabulary import Deployment
from cloudtoets.problems import Problem

UNKNOWN_WORDS: Final = frozenset({"onbekend", "unknown"})
NONE_WORDS: Final = frozenset({"geen", "none"})
# What the tabular writers put in a cell for a known "nothing" and in the drop-downs.
UNKNOWN_WORD: Final = "onbekend"
NONE_WORD: Final = "geen"

# The facts of each list whose value may be one of the words.
FACTS: Final[Mapping[str, frozenset[str]]] = {
    "organisations": frozenset(ORGANISATION_FACTS),
    "registrations": frozenset(REGISTRATION_FACTS),
}
# Facts with a "nothing" besides the lists: the none code (personal_data has "none" as a plain
# code of its vocabulary, so "geen" there means the same).
NONE_CODES: Final = NONE_CODED | {"personal_data"}

Word = Literal["unknown", "none"]
# (list name, index in that list, field, message) -> a problem located in the reader's words
Report = Callable[[str, int, str, str], Problem]


def word(value: object) -> Word | None:
    """Which word a value is, if it is one: a text, or a list of just that text."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str) or len(value) > 20:
        return None
    text = value.strip().casefold()
    if text in UNKNOWN_WORDS:
        return "unknown"
    if text in NONE_WORDS:
        return "none"
    return None


def has_none(key: str) -> bool:
    """Whether a registration fact has a known "nothing" (``geen`` in a cell)."""
    return key in NONE_CODES or key in LIST_FACTS


def _translate(
    record: Mapping[str, Any], facts: frozenset[str]
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """The record with its words translated (None when it has none) and its misplaced words."""
    changed: dict[str, Any] | None = None
    wrong: list[tuple[str, str]] = []
    for key, value in record.items():  # in the record's order: problems come out stable
        if key not in facts:
            continue
        kind = word(value)
        if kind is None:
            continue
        if changed is None:
            changed = dict(record)
        if kind == "unknown":
            del changed[key]
        elif key in NONE_CODES:
            changed[key] = NONE_CODE
        elif key in LIST_FACTS:
            changed[key] = []
        elif key == "provider" and _private_internal(record.get("deployment")):
            del changed[key]  # run by government itself: no provider, as when left out
        else:
            del changed[key]  # reported once, here, instead of also as a wrong type
            wrong.append((key, value if isinstance(value, str) else value[0]))
    return changed, wrong


def _private_internal(deployment: object) -> bool:
    return (
        isinstance(deployment, str) and deployment.strip().casefold() == Deployment.PRIVATE_INTERNAL
    )


_KINDS: Final = {
    **describe_fields(Organisation),
    **describe_fields(Registration),  # the facts' keys are unique across both
}


def _wrong_none(key: str, text: str) -> str:
    shown = text.strip()
    if key == "provider":
        return (
            f"'{shown}' als leverancier kan alleen bij inzetmodel private-internal; "
            "vul het kenmerk van de leverancier in, of onbekend als u het niet weet"
        )
    kind = _KINDS[key]
    if kind.kind == "bool":
        do = "kies ja (true) of nee (false)"
    elif kind.kind == "date":
        do = "vul een datum in als JJJJ-MM-DD"
    else:
        do = "kies uit " + ", ".join(member.value for member in kind.enum or ())
    return (
        f"'{shown}' kan hier niet, want dit is een vraag zonder 'geen'; "
        f"{do}, of onbekend als u het niet weet"
    )


def translate_words(document: Mapping[str, Any], report: Report) -> tuple[Any, list[Problem]]:
    """The document with the words of its facts translated, and the misplaced ``geen`` words.

    Records without words are passed on as they are; the document itself is not changed.
    """
    result: dict[str, Any] | None = None
    problems: list[Problem] = []
    for list_name, facts in FACTS.items():
        records = document.get(list_name)
        if not isinstance(records, list):
            continue
        new_records: list[Any] | None = None
        for index, record in enumerate(records):
            if not isinstance(record, Mapping):
                continue
            changed, wrong = _translate(record, facts)
            for key, text in wrong:
                problems.append(report(list_name, index, key, _wrong_none(key, text)))
            if changed is not None:
                if new_records is None:
                    new_records = list(records)
                new_records[index] = changed
        if new_records is not None:
            if result is None:
                result = dict(document)
            result[list_name] = new_records
    return (document if result is None else result), problems
