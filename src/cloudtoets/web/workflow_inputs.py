"""Reading the justification and notification forms: text and ticks as typed (dates: dates.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudtoets.problems import Problem


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def ticked(form: Mapping[str, Any], name: str) -> bool:
    return text(form, name) == "true"


def errors_by_field(problems: list[Problem]) -> dict[str, str]:
    """The services' problems per form field, in the order they came."""
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field or "", problem.message)
    return errors
