"""ETag and If-Match for workflow objects: reads send ``ETag: "v{version}"``, every step needs
that version back in ``If-Match`` (428 without it, 412 when someone else took a step first)."""

from __future__ import annotations

import re
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
_TAG = re.compile(r"v(\d+)")


def etag(version: int) -> str:
    return f'"v{version}"'


def required_version(if_match: str | None) -> int:
    """The version named in If-Match; 0 (which matches none, so 412) for a tag without one."""
    if if_match is None or not if_match.strip():
        raise ApiProblem(
            "versie-ontbreekt",
            "Stuur de versie die u hebt gelezen mee in de header If-Match (de ETag van GET, "
            'zoals If-Match: "v3"). Zo zet u geen stap op een verouderde toestand.',
        )
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        raise ApiProblem(
            "versie-ontbreekt",
            'If-Match: * is niet genoeg. Stuur de versie die u hebt gelezen, zoals "v3".',
        )
    for tag in tags:
        match = _TAG.fullmatch(tag.strip('"'))
        if match:
            return int(match.group(1))
    return 0
