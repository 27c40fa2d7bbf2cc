"""Plain-Dutch finding messages built from the policy's texts.

A message says what is wrong (the rule's ``problem``), when it must be solved (transition),
whether a justification was accepted, what to do (``action``), and where the rule comes from (the
policy's section, or the rule's own citation). Messages
repeat a lot across a register, so each distinct combination is formatted once.

The engine composes a finding's message when it is first read (``compose``), from the values
the finding captured while the registration was evaluated: most findings of a large register are
never shown. ``message`` composes the same text at once from a registration's facts.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Mapping
from typing import NamedTuple

from cloudtoets.domain.model import Justification, Registration
from cloudtoets.domain.vocabulary import Severity
from cloudtoets.policy.facts import placeholders
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


class Facts(NamedTuple):
    """The per-registration values a rule text may name."""

    registration: Registration
    jurisdictions: frozenset[str]
    effective_tbb_level: int | None
    unreported_rules: tuple[str, ...] = ()
    # the values of registered facts beyond the engine's own (policy/facts.py), by name
    extra: Mapping[str, object] | None = None


# What each place in a rule text depends on, how that is taken from the facts above and how it
# is written: policy/facts.py. Findings are cached per rule on those values, and a deferred
# message is composed from them alone, so it never reads the (mutable) registration again.


# Who accepted a justification and when: all a justified finding's text needs of it.
Accepted = tuple[str | None, dt.date | None]


def accepted(justification: Justification | None) -> Accepted | None:
    if justification is None:
        return None
    return justification.accepted_by, justification.accepted_on


class MessageBuilder:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._placeholders = placeholders()
        # placeholder -> its text, from the values of its sources
        self._render: Mapping[str, Callable[..., str]] = {
            name: placeholder.render(policy) for name, placeholder in self._placeholders.items()
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
        # (rule, details) -> (problem, action): one entry, so a concurrent reader sees both
        self._texts: dict[tuple[str, tuple[object, ...]], tuple[str, str]] = {}
        self._timings: dict[tuple[object, ...], str] = {}
        self._sections: dict[str, str] = {}

    def key_sources(self, rule: Rule) -> list[str]:
        """Expressions of what the rule's texts depend on beyond the deadline (policy/facts.py)."""
        return [
            source for name in self._names[rule.id] for source in self._placeholders[name].sources
        ]

    def message(
        self,
        rule: Rule,
        facts: Facts,
        deadline: dt.date | None,
        as_of: dt.date,
        justification: Justification | None,
    ) -> str:
        """The message composed at once from the registration's facts."""
        return self.compose(
            rule, deadline, as_of, accepted(justification), self.details(rule, facts)
        )

    def details(self, rule: Rule, facts: Facts) -> tuple[object, ...]:
        """The values the rule's texts name, taken from the facts (policy/facts.py)."""
        return tuple(
            value for name in self._names[rule.id] for value in self._placeholders[name].take(facts)
        )

    def compose(
        self,
        rule: Rule,
        deadline: dt.date | None,
        as_of: dt.date,
        accepted: Accepted | None,
        details: tuple[object, ...],
    ) -> str:
        """The message; ``details`` are the values of the rule's ``key_sources``.

        Each part is cached on what it depends on, so a new combination of deadline and details
        only joins parts that were formatted before.
        """
        key = (rule.id, details)
        texts = self._texts.get(key)
        if texts is None:
            values = self._values(rule, details)
            texts = self._texts[key] = (
                _tidy(rule.problem.format(**values)),
                _tidy(rule.action.format(**values)),
            )
        problem, action = texts
        parts = [problem, self._timing(rule, deadline, as_of, accepted is not None)]
        parts.append(action if accepted is None else self._justified(rule, *accepted))
        parts.append(self._section(rule))
        return " ".join(p for p in parts if p)

    def _values(self, rule: Rule, details: tuple[object, ...]) -> dict[str, str]:
        """Each placeholder's text, from its share of ``details``."""
        values = {}
        start = 0
        for name in self._names[rule.id]:
            end = start + len(self._placeholders[name].sources)
            values[name] = self._render[name](*details[start:end])
            start = end
        return values

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

    def _justified(self, rule: Rule, accepted_by: str | None, accepted_on: dt.date | None) -> str:
        return _tidy(
            self.policy.texts.justified.format(
                **self._common(rule, None),
                accepted_by=accepted_by or "",
                accepted_on=dutch_date(accepted_on) if accepted_on else "",
            )
        )

    def citation(self, rule: Rule) -> str:
        """Where the rule comes from: its own citation, else the policy's ``texts.section``."""
        template = self.policy.texts.section if rule.citation is None else rule.citation
        return _tidy(template.format(**self._common(rule, None)))

    def _section(self, rule: Rule) -> str:
        text = self._sections.get(rule.id)
        if text is None:
            text = self._sections[rule.id] = f"({self.citation(rule)})"
        return text


def _tidy(text: str) -> str:
    """One line, single spaces (YAML folded texts may carry line breaks)."""
    return " ".join(text.split())
