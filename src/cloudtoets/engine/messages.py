"""Plain-Dutch finding messages built from the policy's texts.

A message says what is wrong (the rule's ``problem``), when it must be solved (transition),
whether a justification was accepted, what to do (``action``), and the policy section. Messages
repeat a lot across a register, so each distinct combination is formatted once.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Hashable, Mapping
from typing import NamedTuple

from cloudtoets.domain.model import Justification, Registration
from cloudtoets.domain.vocabulary import Severity
from cloudtoets.policy.model import Policy, Rule

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _join(items: list[str]) -> str:
    if not items:
        return "-"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " en " + items[-1]


class Facts(NamedTuple):
    """The per-registration values a rule text may name."""

    registration: Registration
    jurisdictions: frozenset[str]
    effective_tbb_level: int | None
    unreported_rules: tuple[str, ...] = ()


Placeholder = tuple[Callable[[Facts], Hashable], Callable[[Facts], str]]


class MessageBuilder:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        p = policy.parameters
        allowed, eea = p.allowed_countries, p.eea
        if allowed == eea:
            label = "de EER"
        elif allowed > eea:
            label = "de EER en " + _join(sorted(allowed - eea))
        else:
            label = _join(sorted(allowed))

        def outside_allowed(f: Facts) -> str:
            r = f.registration
            return _join(sorted(set(r.storage_countries).union(r.processing_countries) - allowed))

        # name -> (cheap cache key from the facts, the text); texts are rendered once per key
        self._placeholders: Mapping[str, Placeholder] = {
            "countries_outside_allowed": (
                lambda f: (
                    tuple(f.registration.storage_countries),
                    tuple(f.registration.processing_countries),
                ),
                outside_allowed,
            ),
            "allowed_countries_label": (lambda f: None, lambda f: label),
            "jurisdictions_outside_eea": (
                lambda f: f.jurisdictions,
                lambda f: _join(sorted(f.jurisdictions - eea)),
            ),
            "jurisdictions": (lambda f: f.jurisdictions, lambda f: _join(sorted(f.jurisdictions))),
            "effective_tbb_level": (
                lambda f: f.effective_tbb_level,
                lambda f: str(f.effective_tbb_level or "-"),
            ),
            "key_register": (
                lambda f: f.registration.key_register,
                lambda f: str(f.registration.key_register or "-"),
            ),
            "classification": (
                lambda f: f.registration.classification,
                lambda f: str(f.registration.classification or "-"),
            ),
            "unreported_rules": (
                lambda f: f.unreported_rules,
                lambda f: _join(list(f.unreported_rules)),
            ),
        }
        self._names = {
            rule.id: list(
                dict.fromkeys(
                    name
                    for _, name, _, _ in string.Formatter().parse(rule.problem + rule.action)
                    if name
                )
            )
            for rule in policy.rules
        }
        self._cache: dict[tuple[object, ...], str] = {}

    def has_placeholders(self, rule: Rule) -> bool:
        """Whether the rule's texts depend on the registration beyond its deadline."""
        return bool(self._names[rule.id])

    def message(
        self,
        rule: Rule,
        facts: Facts,
        deadline: dt.date | None,
        as_of: dt.date,
        justification: Justification | None,
    ) -> str:
        names = self._names[rule.id]
        key = (
            rule.id,
            tuple(self._placeholders[name][0](facts) for name in names),
            deadline,
            deadline is not None and deadline > as_of,
            None
            if justification is None
            else (justification.accepted_by, justification.accepted_on),
        )
        cached = self._cache.get(key)
        if cached is None:
            values = {name: self._placeholders[name][1](facts) for name in names}
            cached = self._compose(rule, values, deadline, as_of, justification)
            self._cache[key] = cached
        return cached

    def _compose(
        self,
        rule: Rule,
        values: dict[str, str],
        deadline: dt.date | None,
        as_of: dt.date,
        justification: Justification | None,
    ) -> str:
        texts = self.policy.texts
        common = {
            "adopted": dutch_date(self.policy.parameters.adopted),
            "section": rule.section,
            "deadline": dutch_date(deadline) if deadline else "",
        }
        parts = [rule.problem.format(**values).strip()]
        if deadline is not None:
            if rule.severity is Severity.ADVISED_AGAINST:
                if justification is None:
                    parts.append(texts.deadline_advisory.format(**common))
            elif deadline > as_of:
                parts.append(texts.deadline_open.format(**common))
            else:
                parts.append(texts.deadline_passed.format(**common))
        elif rule.transition is None and rule.severity.is_hard:
            parts.append(texts.no_transition.format(**common))
        if justification is not None:
            accepted_on = justification.accepted_on
            parts.append(
                texts.justified.format(
                    **common,
                    accepted_by=justification.accepted_by or "",
                    accepted_on=dutch_date(accepted_on) if accepted_on else "",
                )
            )
        else:
            parts.append(rule.action.format(**values).strip())
        parts.append(f"({texts.section.format(**common)})")
        return " ".join(" ".join(p.split()) for p in parts if p)
