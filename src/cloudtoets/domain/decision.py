"""The outcome of evaluating one registration against one policy version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from cloudtoets.domain.vocabulary import Scope, Severity, Verdict


@dataclass(frozen=True)
class Finding:
    """One rule that fires for a registration. Immutable: equal findings are shared.

    The message may be composed on first read (``Finding.deferred``): most findings of a large
    register are never shown, and the text is fixed by values captured at evaluation time.
    """

    # declared by hand (not ``slots=True``) to add the composer slot, which is not a field
    __slots__ = (
        "_compose",
        "certain",
        "deadline",
        "justified",
        "message",
        "rule",
        "section",
        "severity",
    )

    rule: str
    section: str
    severity: Severity
    deadline: dt.date | None
    justified: bool
    message: str
    # False for a possible finding: it is there for some answers to the open questions
    certain: bool

    @classmethod
    def deferred(
        cls,
        rule: str,
        section: str,
        severity: Severity,
        deadline: dt.date | None,
        justified: bool,
        compose: Callable[[], str],
        certain: bool = True,
    ) -> Finding:
        """A finding whose message ``compose()`` builds when it is first read."""
        draft = _Draft()
        draft.rule, draft.section, draft.severity = rule, section, severity
        draft.deadline, draft.justified, draft._compose = deadline, justified, compose
        draft.certain = certain
        draft.__class__ = cls  # type: ignore[assignment]  # same slots: Python checks the layout
        return cast(Finding, draft)

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(_FIELDS, state, strict=True):
            object.__setattr__(self, name, value)


_FIELDS = ("rule", "section", "severity", "deadline", "justified", "message", "certain")


class _Draft:
    """Finding's memory layout without the frozen guard. A new finding is filled in here with
    plain slot stores and then becomes a Finding: a frozen dataclass sets each field through
    ``object.__setattr__``, several times slower, and large registers create many findings."""

    __slots__ = Finding.__slots__
    rule: str
    section: str
    severity: Severity
    deadline: dt.date | None
    justified: bool
    certain: bool
    _compose: Callable[[], str] | None


def _compose_message(finding: Finding, name: str) -> str:
    """Python calls this only for an empty slot: the message of a deferred finding."""
    if name != "message":
        raise AttributeError(name)
    compose: Callable[[], str] | None = object.__getattribute__(finding, "_compose")
    if compose is None:  # another thread composed it since this one looked
        text: str = object.__getattribute__(finding, "message")
        return text
    text = compose()
    object.__setattr__(finding, "message", text)
    object.__setattr__(finding, "_compose", None)  # let go of the captured values
    return text


# Set after the class body so that type checkers keep rejecting unknown attributes.
setattr(Finding, "__getattr__", _compose_message)  # noqa: B010


@dataclass(frozen=True, slots=True)
class Question:
    """A fact whose answer can change the result: which rules it can change, asked in Dutch."""

    field: str
    rules: tuple[str, ...]
    question: str


@dataclass(slots=True)
class Decision:
    """A verdict with everything needed to explain and reproduce it.

    ``policy_id`` and ``policy_revision`` pin the exact policy text; together with the input and
    ``as_of`` any past decision can be recomputed.

    With unknown facts (unknowns.md) the derived facts may be None (unknown), ``best`` and
    ``worst`` bound the verdict, ``verdict`` is ``incomplete`` when they differ, and
    ``questions`` say which answers settle it.
    """

    registration: str
    organisation: str
    scope: Scope
    public_cloud: bool | None
    external_cloud: bool | None
    material: bool | None
    existing_use: bool | None
    material_reasons: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    jurisdictions_complete: bool
    effective_tbb_level: int | None
    verdict: Verdict
    best: Verdict
    worst: Verdict
    deadline: dt.date | None
    findings: tuple[Finding, ...]
    questions: tuple[Question, ...]
    policy_id: str
    policy_revision: str
    as_of: dt.date

    @property
    def counts_as_failure(self) -> bool:
        """Only registrations in mandatory scope can fail a check."""
        return self.scope is Scope.MANDATORY

    @property
    def incomplete(self) -> bool:
        return self.best is not self.worst
