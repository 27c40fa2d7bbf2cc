"""ETag and If-Match for every object that can change: reads send ``ETag: "v{version}"``, every
change needs that version back in ``If-Match`` (428 without it, 412 with the current values when
someone else changed the object in between)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Header

from cloudtoets.api.problems import ApiProblem

IfMatch = Annotated[
    str | None,
    Header(
        description='De versie die u hebt gelezen, zoals de ETag van GET: "v3"',
        examples=['"v3"'],
    ),
]
ETAG = {"ETag": {"description": 'De versie: "v{versie}"', "schema": {"type": "string"}}}
_VERSION_TAG = re.compile(r"v(\d+)")


def etag(version: int) -> str:
    return f'"v{version}"'


def _tag_version(tag: str) -> int | None:
    """``"v3"`` (and, leniently, ``v3``) -> 3; anything else names no version."""
    match = _VERSION_TAG.fullmatch(tag.strip().strip('"'))
    return int(match.group(1)) if match else None


def expected_version(if_match: str | None, current: Callable[[], int]) -> int:
    """The version named in If-Match; 428 when there is none to compare.

    A tag that names no version gives 0, which matches none (the service answers 412 with the
    current values). With several versions the current one counts when it is among them, else
    the lowest; only then is ``current`` called.
    """
    if if_match is None or not if_match.strip():
        raise ApiProblem(
            "versie-ontbreekt",
            "Stuur de versie die u hebt gelezen mee in de header If-Match (de ETag van GET, "
            'zoals If-Match: "v3"). Zo overschrijft u geen wijziging van iemand anders.',
        )
    tags = if_match.split(",")
    if any(tag.strip() == "*" for tag in tags):
        raise ApiProblem(
            "versie-ontbreekt",
            'If-Match: * is niet genoeg. Stuur de versie die u hebt gelezen, zoals "v3".',
        )
    versions = {v for tag in tags if (v := _tag_version(tag)) is not None}
    if len(versions) == 1:
        return versions.pop()
    if not versions:
        return 0
    now = current()
    return now if now in versions else min(versions)
