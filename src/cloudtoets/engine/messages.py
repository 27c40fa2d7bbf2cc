"""Plain-Dutch finding messages built from the policy's texts.

A message says what is wrong (the rule's ``problem``), when it must be solved (transition),
whether a justification was accepted, what to do (``action``), and the policy section. Messages
repeat a lot across a register, so each distinct combination is formatted once.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Mapping
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


# For each placeholder: a Python expression (over the locals of the generated evaluation
# function) of everything its text depends on. Findings are cached per rule on these values.
KEY_SOURCES: Mapping[str, str | None] = {
    "countries_outside_allowed": "tuple(r.storage_countries), tuple(r.processing_countries)",
    "allowed_countries_label": None,  # the same for every registration
    "jurisdictions_outside_eea": "jurisdictions",
    "jurisdictions": "jurisdictions",
    "effective_tbb_level": "eff",
    "key_register": "r.key_register",
    "classification": "r.classification",
    "unreported_rules": "tuple(unreported)",
}


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

        self._render: Mapping[str, Callable[[Facts], str]] = {
            "countries_outside_allowed": outside_allowed,
            "allowed_countries_label": lambda f: label,
            "jurisdictions_outside_eea": lambda f: _join(sorted(f.jurisdictions - eea)),
            "jurisdictions": lambda f: _join(sorted(f.jurisdictions)),
            "effective_tbb_level": lambda f: str(f.effective_tbb_level or "-"),
            "key_register": lambda f: str(f.registration.key_register or "-"),
            "classification": lambda f: str(f.registration.classification or "-"),
            "unreported_rules": lambda f: _join(list(f.unreported_rules)),
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
        self._problems: dict[tuple[str, tuple[object, ...]], str] = {}
        self._actions: dict[tuple[str, tuple[object, ...]], str] = {}
        self._timings: dict[tuple[object, ...], str] = {}
        self._sections: dict[str, str] = {}

    def key_sources(self, rule: Rule) -> list[str]:
        """Expressions of what the rule's texts depend on beyond the deadline (see KEY_SOURCES)."""
        return [source for name in self._names[rule.id] if (source := KEY_SOURCES[name])]

    def message(
        self,
        rule: Rule,
        facts: Facts,
        deadline: dt.date | None,
        as_of: dt.date,
        justification: Justification | None,
        details: tuple[object, ...],
    ) -> str:
        """The message; ``details`` are the values of the rule's ``key_sources``.

        Each part is cached on what it depends on, so a new combination of deadline and details
        only joins parts that were formatted before.
        """
        key = (rule.id, details)
        problem = self._problems.get(key)
        if problem is None:
            values = {name: self._render[name](facts) for name in self._names[rule.id]}
            problem = self._problems[key] = _tidy(rule.problem.format(**values))
            self._actions[key] = _tidy(rule.action.format(**values))
        parts = [problem, self._timing(rule, deadline, as_of, justification is not None)]
        if justification is not None:
            parts.append(self._justified(rule, justification))
        else:
            parts.append(self._actions[key])
        parts.append(self._section(rule))
        return " ".join(p for p in parts if p)

    def _common(self, rule: Rule, deadline: dt.date | None) -> dict[str, str]:
        return {
            "adopted": dutch_date(self.policy.parameters.adopted),
            "section": rule.section,
            "deadline": dutch_date(deadline) if deadline else "",
        }

    def _timing(self, rule: Rule, deadline: dt.date | None, as_of: dt.date, justified: bool) -> str:
        """The sentence about the transition period, if any."""
        advised = rule.severity is Severity.ADVISED_AGAINST
        key = (
            rule.section,
            advised,
            justified,
            rule.transition is None and rule.severity.is_hard,
            deadline,
            deadline is not None and deadline > as_of,
        )
        text = self._timings.get(key)
        if text is None:
            texts = self.policy.texts
            common = self._common(rule, deadline)
            text = ""
            if deadline is not None:
                if advised:
                    text = "" if justified else texts.deadline_advisory.format(**common)
                elif deadline > as_of:
                    text = texts.deadline_open.format(**common)
                else:
                    text = texts.deadline_passed.format(**common)
            elif rule.transition is None and rule.severity.is_hard:
                text = texts.no_transition.format(**common)
            text = self._timings[key] = _tidy(text)
        return text

    def _justified(self, rule: Rule, justification: Justification) -> str:
        accepted_on = justification.accepted_on
        return _tidy(
            self.policy.texts.justified.format(
                **self._common(rule, None),
                accepted_by=justification.accepted_by or "",
                accepted_on=dutch_date(accepted_on) if accepted_on else "",
            )
        )

    def _section(self, rule: Rule) -> str:
        text = self._sections.get(rule.section)
        if text is None:
            section = self.policy.texts.section.format(**self._common(rule, None))
            text = self._sections[rule.section] = f"({_tidy(section)})"
        return text


def _tidy(text: str) -> str:
    """One line, single spaces (YAML folded texts may carry line breaks)."""
    return " ".join(text.split())
