"""The portfolio for the web pages and the monitoring report: the figures of
``services/portfolio.py`` over the register as the actor may see it, a scenario asked in a
form, and the impact of another built-in policy. The pages may not read the policy or the
catalogue themselves (docs/architecture.md), so the choices they offer come from here.

The actor's scope is ``services/monitoring.scope``: Forbidden for a role without register
content, NotFound for an organisation the actor may not see.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.policy.loader import builtin_policy_ids, load_policy
from cloudtoets.problems import Problem
from cloudtoets.services import portfolio as figures
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.inventory_check import UnknownPolicy, chosen_policy
from cloudtoets.services.monitoring import scope
from cloudtoets.services.portfolio import PolicyImpact, Portfolio
from cloudtoets.services.providers import provider_names
from cloudtoets.services.uploads import read_policy_bounded


@dataclass(frozen=True, slots=True)
class PolicyChoice:
    id: str
    title: str
    version: str
    current: bool  # the register's own policy
    # an uploaded file: what `policy validate` warns about (allowed, probably not meant)
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class PortfolioPage:
    portfolio: Portfolio
    providers: list[tuple[str, str]]  # (id, name) a scenario may name, by name
    problems: dict[str, str]  # form field -> what is wrong with it (Dutch)
    # the scenario per organisation: (organisation id, registrations, material), by id
    scenario_rows: list[tuple[str, int, int]]


def policy_choices(register: Register) -> list[PolicyChoice]:
    """The built-in policies, the register's own first."""
    choices = []
    for policy_id in builtin_policy_ids():
        policy = register.policy if policy_id == register.policy.id else load_policy(policy_id)
        current = policy.id == register.policy.id
        choices.append(PolicyChoice(policy_id, policy.title, policy.version, current))
    return sorted(choices, key=lambda c: (not c.current, c.title.casefold(), c.id))


def portfolio_page(
    register: Register,
    actor: Actor,
    as_of: dt.date,
    organisation: str | None = None,
    *,
    provider: str | None = None,
    country: str | None = None,
) -> PortfolioPage:
    """The portfolio on ``as_of`` with, when asked, the scenario "``provider`` falls away" or
    "the law of ``country`` reaches the data". A provider or country that is not known is no
    error of the page: it is left out and named in ``problems``."""
    source = figures.source_from_register(register, actor, organisation)
    names = provider_names(register, actor)
    known = source.known_providers()
    problems: dict[str, str] = {}
    without: list[str] = []
    without_country: list[str] = []
    if provider:
        if provider in known:
            without.append(provider)
        else:
            problems["leverancier"] = "Deze leverancier kennen we niet. Kies er een uit de lijst."
    if country:
        code = country.strip().upper()
        if code in ISO_COUNTRY_CODES:
            without_country.append(code)
        else:
            problems["land"] = "Dit land kennen we niet. Kies een land uit de lijst."
    found = figures.portfolio(
        source,
        register.policy,
        as_of,
        organisation=organisation,
        without=without,
        without_country=without_country,
    )
    choices = sorted(
        ((key, names.get(key, key)) for key in known),
        key=lambda item: (item[1].casefold(), item[0]),
    )
    rows: list[tuple[str, int, int]] = []
    if found.scenario is not None:
        organisation_of = {r.id: r.organisation for r in source.registrations}
        hit = Counter(organisation_of[r] for r in found.scenario.registrations)
        material = Counter(organisation_of[r] for r in found.scenario.material)
        rows = [(org, hit[org], material[org]) for org in sorted(hit)]
    return PortfolioPage(found, choices, problems, rows)


def monitoring_portfolio(
    register: Register, actor: Actor, as_of: dt.date, organisation: str | None = None
) -> Portfolio:
    """The figures the monitoring page and report show beside their own: the concentration by
    ultimate parent and which provider's loss touches the most material use."""
    source = figures.source_from_register(register, actor, organisation)
    return figures.portfolio(source, register.policy, as_of, organisation=organisation)


def check_access(register: Register, actor: Actor, organisation: str | None = None) -> None:
    """Forbidden for a role without register content, NotFound for an organisation the actor
    may not see: the check of the figures, for a page that shows none yet."""
    scope(register, actor, organisation)


def policy_impact(
    register: Register,
    actor: Actor,
    variant: str,
    as_of: dt.date,
    organisation: str | None = None,
) -> PolicyImpact:
    """Which registrations get another verdict when the built-in policy ``variant`` replaces
    the register's policy (UnknownPolicy for an id that is not built in)."""
    other = chosen_policy(register, variant)
    source = figures.source_from_register(register, actor, organisation)
    return figures.policy_impact(source, register.policy, other, as_of, organisation=organisation)


def policy_impact_upload(
    register: Register,
    actor: Actor,
    filename: str,
    data: bytes,
    as_of: dt.date,
    organisation: str | None = None,
) -> tuple[PolicyImpact, PolicyChoice]:
    """``policy_impact`` with an uploaded policy file (``services/uploads.read_policy_bounded``:
    the loader of ``cloudtoets policy validate``, within limits) in place of a built-in one;
    with the policy's title and version for the page. The actor's access is checked before
    the file is read; InputError names the file's problems."""
    source = figures.source_from_register(register, actor, organisation)
    other = read_policy_bounded(filename, data)
    found = figures.policy_impact(source, register.policy, other, as_of, organisation=organisation)
    choice = PolicyChoice(other.id, other.title, other.version, False, other.warnings)
    return found, choice


__all__ = [
    "PolicyChoice",
    "PortfolioPage",
    "UnknownPolicy",
    "check_access",
    "monitoring_portfolio",
    "policy_choices",
    "policy_impact",
    "policy_impact_upload",
    "portfolio_page",
]
