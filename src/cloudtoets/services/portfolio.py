"""The portfolio as CIO Rijk sees it: figures, concentration, scenarios and policy impact.

Every figure is computed from verdicts re-evaluated for the as-of date asked (never read from the
last stored evaluation), so a figure of a past or future date is that date's, and the deadline
calendar agrees with the verdicts of the same date. The registrations come from an inventory
file (``source_from_inventory``) or from the register, with the actor's scope
(``source_from_register``). Plain Python over the decisions: the verdicts must be computed anyway
and the aggregation is one pass over them (benchmarks/README.md, "Portfolio").

Definitions:

- *material*: the decision's ``material`` (True, False or None: unknown, unknowns.md);
- *ultimate parent*: the last entity of the contracting provider's ownership chain
  (``ProviderDirectory.chain(provider)[-1]``);
- a registration *depends on* a provider when the provider is anywhere in its chain: the
  contracting provider and its parents, the registration's sub-processors and their parents,
  and the sub-processors the provider entries list themselves;
- a registration counts for a *country* when the country is in its jurisdiction chain;
- *critical or essential*: its organisation is a critical or an essential entity (known yes);
- HHI: the Herfindahl-Hirschman index (0-10,000) of material use by ultimate parent, over the
  material registrations with a known provider.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.clock import check_as_of
from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Organisation, Provider, Registration
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.domain.vocabulary import Deployment, Verdict
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluator_for
from cloudtoets.engine.transition import add_months
from cloudtoets.io.read import read_inventory
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.model import Policy

if TYPE_CHECKING:  # the register is imported where it is read: a file needs no database
    from cloudtoets.services.actor import Actor
    from cloudtoets.services.context import Register

UNKNOWN = "unknown"  # the key of an unknown deployment model, or unknown material use
DEPLOYMENT_KEYS: tuple[str, ...] = (*(d.value for d in Deployment), UNKNOWN)
VERDICT_KEYS: tuple[str, ...] = tuple(v.value for v in Verdict)
RANKING_SIZE = 10


# --- where the registrations come from ----------------------------------------------------------


@dataclass(slots=True)
class Source:
    """Registrations with their organisations and, per organisation, the evaluation context
    (the catalogue plus that organisation's own providers; an inventory has one for all)."""

    registrations: list[Registration]
    organisations: dict[str, Organisation]
    contexts: dict[str, EvaluationContext]  # organisation id -> context
    default_context: EvaluationContext | None = None

    def context_of(self, organisation_id: str) -> EvaluationContext:
        found = self.contexts.get(organisation_id)
        if found is not None:
            return found
        if self.default_context is None:
            raise LookupError(organisation_id)
        return self.default_context

    def known_providers(self) -> set[str]:
        """Every provider id in the source's directories."""
        known: set[str] = set()
        contexts = list(self.contexts.values())
        if self.default_context is not None:
            contexts.append(self.default_context)
        for directory in {id(c.providers): c.providers for c in contexts}.values():
            known.update(p.id for p in directory.all())
        return known

    def only(self, organisation: str | None) -> Source:
        """The registrations of one organisation (None: all)."""
        if organisation is None:
            return self
        return Source(
            [r for r in self.registrations if r.organisation == organisation],
            {k: v for k, v in self.organisations.items() if k == organisation},
            self.contexts,
            self.default_context,
        )


def source_from_inventory(path: Path) -> Source:
    """An inventory file, read and validated as ``cloudtoets check`` does (InputError)."""
    checked = read_inventory(path)
    context = EvaluationContext(checked.organisations, checked.providers)
    return Source(checked.inventory.registrations, dict(checked.organisations), {}, context)


def source_from_document(document: bytes | dict[str, object], name: str = "inventaris") -> Source:
    """An inventory document (bytes or parsed), validated (InputError)."""
    checked = validate_document(document, name)
    context = EvaluationContext(checked.organisations, checked.providers)
    return Source(checked.inventory.registrations, dict(checked.organisations), {}, context)


def source_from_register(register: Register, actor: Actor, organisation: str | None) -> Source:
    """The register's registrations this actor may see (or of one organisation: NotFound when
    the actor may not see it or it does not exist), as stored."""
    from cloudtoets.services.monitoring import scope
    from cloudtoets.services.uow import read_only
    from cloudtoets.store import repositories as repo
    from cloudtoets.store.mapping import (
        organisation_from_row,
        provider_from_row,
        registrations_from_records,
    )

    organisations = scope(register, actor, organisation)
    with read_only(register.sessions, actor) as session:
        orgs = {
            row.id: organisation_from_row(row) for row in repo.organisations(session, organisations)
        }
        own: dict[str, list[Provider]] = {}
        for row in repo.providers(session, organisations):
            own.setdefault(row.organisation_id, []).append(provider_from_row(row))
        registrations = registrations_from_records(
            repo.registration_records(session, organisations)
        )
    shared = catalogue_directory([])
    contexts: dict[str, EvaluationContext] = {}
    for org_id, org in orgs.items():
        providers = own.get(org_id)
        directory = catalogue_directory(providers) if providers else shared
        contexts[org_id] = EvaluationContext({org_id: org}, directory)
    return Source(registrations, orgs, contexts)


def evaluate_source(source: Source, policy: Policy, as_of: dt.date) -> list[Decision]:
    """The decisions of every registration of the source on this date, in its order."""
    run = evaluator_for(policy, as_of).evaluate
    if not source.contexts and source.default_context is not None:
        context = source.default_context
        return [run(r, context) for r in source.registrations]
    context_of = source.context_of
    return [run(r, context_of(r.organisation)) for r in source.registrations]


# --- the chain of a registration --------------------------------------------------------------


class Chains:
    """Per registration: the contracting provider's ultimate parent and every provider id in its
    chain (ownership and sub-processors), memoised per directory and provider combination."""

    def __init__(self) -> None:
        self._closures: dict[tuple[int, str], frozenset[str]] = {}
        self._entries: dict[tuple[int, object], frozenset[str]] = {}
        self._parents: dict[tuple[int, str], str] = {}

    def ultimate_parent(self, directory: ProviderDirectory, provider: str) -> str:
        key = (id(directory), provider)
        found = self._parents.get(key)
        if found is None:
            try:
                found = directory.chain(provider)[-1].id
            except (KeyError, ValueError):
                found = provider
            self._parents[key] = found
        return found

    def _closure(self, directory: ProviderDirectory, provider: str) -> frozenset[str]:
        key = (id(directory), provider)
        found = self._closures.get(key)
        if found is None:
            found = self._closures[key] = directory.reach(provider)
        return found

    def providers(self, directory: ProviderDirectory, registration: Registration) -> frozenset[str]:
        """Every provider id the registration depends on (empty: no provider known)."""
        return self.entry_providers(directory, registration.provider, registration.subprocessors)

    def entry_providers(
        self,
        directory: ProviderDirectory,
        provider: str | None,
        subprocessors: Sequence[str] | None,
    ) -> frozenset[str]:
        """Every provider id a contracting provider and these sub-processors stand for."""
        entry: object = (provider, *subprocessors) if subprocessors else provider
        key = (id(directory), entry)
        found = self._entries.get(key)
        if found is None:
            ids: frozenset[str] = frozenset()
            for one in (provider, *(subprocessors or ())):
                if one is not None:
                    ids |= self._closure(directory, one)
            found = self._entries[key] = ids
        return found


def _names(source: Source) -> dict[str, tuple[str, str]]:
    """Provider id -> (name, country), from every directory of the source."""
    names: dict[str, tuple[str, str]] = {}
    directories = {id(c.providers): c.providers for c in source.contexts.values()}
    if source.default_context is not None:
        directories[id(source.default_context.providers)] = source.default_context.providers
    for directory in directories.values():
        for provider in directory.all():
            names.setdefault(provider.id, (provider.display_name, provider.country))
    return names


# --- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Concentration:
    """Registrations that depend on one provider or one country."""

    key: str  # provider id, or the country's ISO code
    name: str
    country: str | None  # a provider's registered office; None for a country row
    registrations: int
    material: int
    critical_or_essential: int
    organisations: int
    material_public: int = 0  # material use of a public cloud


@dataclass(frozen=True, slots=True)
class QuarterDeadlines:
    """Transition deadlines in one quarter (key ``2027-K3``)."""

    key: str
    first_day: dt.date
    last_day: dt.date
    count: int


@dataclass(frozen=True, slots=True)
class Trend:
    """The HHI of material use by ultimate parent on a second date, and the change to it."""

    as_of: dt.date
    hhi_material: int
    change: int  # this date's HHI minus the second date's


@dataclass(frozen=True, slots=True)
class Scenario:
    """What depends on a provider (at any level of the chain) or a country's law."""

    kind: str  # "provider" or "country"
    key: str
    name: str
    registrations: tuple[str, ...]  # ids, sorted
    material: tuple[str, ...]  # ids of the material ones, sorted
    organisations: tuple[str, ...]
    critical_or_essential: int
    with_tested_emergency_plan: int
    with_exit_lead_time: int  # registrations with an emergency lead time recorded
    exit_lead_time_days_sum: int
    exit_lead_time_days_max: int | None


@dataclass(frozen=True, slots=True)
class Loss:
    """One provider's loss: the material registrations (and all) that depend on it."""

    provider: str
    name: str
    country: str | None
    material: int
    registrations: int


@dataclass(slots=True)
class Portfolio:
    as_of: dt.date
    policy_id: str
    organisation: str | None
    registrations: int
    by_deployment: dict[str, int]  # DEPLOYMENT_KEYS -> registrations
    by_verdict: dict[str, int]  # VERDICT_KEYS -> registrations
    material: dict[str, int]  # "yes", "no", "unknown"
    material_public: int  # material use of a public cloud (known both)
    by_ultimate_parent: list[Concentration]  # most material first
    by_provider: list[Concentration]  # the contracting provider, most material first
    by_jurisdiction: list[Concentration]  # most registrations first
    hhi_material: int
    calendar: list[QuarterDeadlines]
    ranking: list[Loss]  # which single provider's loss touches the most material use
    trend: Trend | None = None
    scenario: Scenario | None = None  # with ``without``/``without_country``: all of them at once


def _critical(organisation: Organisation | None) -> bool:
    return organisation is not None and (
        organisation.critical_entity is True or organisation.essential_entity is True
    )


class _Tally:
    __slots__ = ("critical", "material", "material_public", "organisations", "registrations")

    def __init__(self) -> None:
        self.registrations = 0
        self.material = 0
        self.material_public = 0
        self.critical = 0
        self.organisations: set[str] = set()

    def add(
        self, organisation: str, count: int, material: bool, public: bool, critical: bool
    ) -> None:
        """``count`` registrations of one organisation, alike in these respects."""
        self.registrations += count
        self.organisations.add(organisation)
        if material:
            self.material += count
            if public:
                self.material_public += count
        if critical:
            self.critical += count


def _rows(
    tallies: dict[str, _Tally], names: dict[str, tuple[str, str]], *, countries: bool = False
) -> list[Concentration]:
    rows = [
        Concentration(
            key,
            key if countries else names.get(key, (key, ""))[0],
            None if countries else (names.get(key, ("", ""))[1] or None),
            t.registrations,
            t.material,
            t.critical,
            len(t.organisations),
            t.material_public,
        )
        for key, t in tallies.items()
    ]
    if countries:
        return sorted(rows, key=lambda c: (-c.registrations, -c.material, c.key))
    return sorted(rows, key=lambda c: (-c.material, -c.registrations, c.key))


def hhi(counts: Iterable[int]) -> int:
    """The Herfindahl-Hirschman index (0-10,000) of these market shares, rounded."""
    values = [c for c in counts if c > 0]
    total = sum(values)
    if not total:
        return 0
    return round(sum((100 * c / total) ** 2 for c in values))


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _calendar(decisions: Sequence[Decision]) -> list[QuarterDeadlines]:
    counts = Counter(
        _quarter(d.deadline)
        for d in decisions
        if d.verdict is Verdict.TRANSITION and d.deadline is not None
    )
    buckets = []
    for (year, quarter), count in sorted(counts.items()):
        first = dt.date(year, 3 * quarter - 2, 1)
        last = add_months(first, 3) - dt.timedelta(days=1)
        buckets.append(QuarterDeadlines(f"{year}-K{quarter}", first, last, count))
    return buckets


_Walked = tuple[Registration, Decision, str | None, frozenset[str], bool]


def _walk(source: Source, decisions: Sequence[Decision], chains: Chains) -> Iterator[_Walked]:
    """Per registration: its decision, ultimate parent, providers in its chain and whether its
    organisation is critical or essential."""
    orgs = source.organisations
    critical = {org_id: _critical(org) for org_id, org in orgs.items()}
    context_of = source.context_of
    single = source.default_context if not source.contexts else None
    memo: dict[tuple[int, object], tuple[str | None, frozenset[str]]] = {}
    for registration, decision in zip(source.registrations, decisions, strict=True):
        directory = (single or context_of(registration.organisation)).providers
        provider = registration.provider
        subprocessors = registration.subprocessors
        key = (id(directory), (provider, *subprocessors) if subprocessors else provider)
        found = memo.get(key)
        if found is None:
            parent = chains.ultimate_parent(directory, provider) if provider is not None else None
            found = memo[key] = (parent, chains.providers(directory, registration))
        yield (
            registration,
            decision,
            found[0],
            found[1],
            critical.get(registration.organisation, False),
        )


# the facts of a registration and its decision that the portfolio's figures count by
_Alike = tuple[str, str | None, tuple[str, ...] | None, bool | None, bool | None, tuple[str, ...]]


def _alike(source: Source, decisions: Sequence[Decision]) -> Counter[_Alike]:
    """How many registrations share organisation, provider, sub-processors and the decision's
    materiality, public cloud and jurisdictions: far fewer combinations than registrations, so
    the figures are added up per combination instead of per registration."""
    registrations = source.registrations
    # map and zip over attribute getters: the tuples are made without a Python frame per
    # registration (a third of the time of a generator expression)
    return Counter(
        zip(
            map(attrgetter("organisation"), registrations),
            map(attrgetter("provider"), registrations),
            [tuple(s) if s else None for s in map(attrgetter("subprocessors"), registrations)],
            map(attrgetter("material"), decisions),
            map(attrgetter("public_cloud"), decisions),
            map(attrgetter("jurisdictions"), decisions),
            strict=True,
        )
    )


def _material_hhi(source: Source, decisions: Sequence[Decision], chains: Chains) -> int:
    counts: Counter[str] = Counter()
    for _, decision, parent, _, _ in _walk(source, decisions, chains):
        if parent is not None and decision.material is True:
            counts[parent] += 1
    return hhi(counts.values())


def portfolio(
    source: Source,
    policy: Policy,
    as_of: dt.date,
    *,
    organisation: str | None = None,
    without: Sequence[str] = (),
    without_country: Sequence[str] = (),
    compare_as_of: dt.date | None = None,
) -> Portfolio:
    """Every portfolio figure of the source (or one organisation of it) on ``as_of``, with the
    scenario "the providers in ``without`` fall away and the law of the countries in
    ``without_country`` reaches the data" (together: every registration any of them touches)."""
    check_as_of(as_of)
    source = source.only(organisation)
    decisions = evaluate_source(source, policy, as_of)
    chains = Chains()
    names = _names(source)
    by_deployment = dict.fromkeys(DEPLOYMENT_KEYS, 0)
    by_verdict = dict.fromkeys(VERDICT_KEYS, 0)
    material = {"yes": 0, "no": 0, UNKNOWN: 0}
    material_public = 0
    parents: dict[str, _Tally] = {}
    providers: dict[str, _Tally] = {}
    countries: dict[str, _Tally] = {}
    losses: dict[str, list[int]] = {}
    for deployment, count in Counter(map(attrgetter("deployment"), source.registrations)).items():
        by_deployment[deployment.value if deployment is not None else UNKNOWN] += count
    for verdict, count in Counter(map(attrgetter("verdict"), decisions)).items():
        by_verdict[verdict.value] += count
    critical_of = {org_id: _critical(org) for org_id, org in source.organisations.items()}
    for (org, provider, subprocessors, material_fact, public_fact, jurisdictions), count in _alike(
        source, decisions
    ).items():
        is_material = material_fact is True
        public = public_fact is True
        if is_material and public:
            material_public += count
        material["yes" if is_material else "no" if material_fact is False else UNKNOWN] += count
        critical = critical_of.get(org, False)
        directory = source.context_of(org).providers
        if provider is not None:
            tally = parents.get(parent := chains.ultimate_parent(directory, provider))
            if tally is None:
                tally = parents[parent] = _Tally()
            tally.add(org, count, is_material, public, critical)
            tally = providers.get(provider)
            if tally is None:
                tally = providers[provider] = _Tally()
            tally.add(org, count, is_material, public, critical)
        for country in jurisdictions:
            tally = countries.get(country)
            if tally is None:
                tally = countries[country] = _Tally()
            tally.add(org, count, is_material, public, critical)
        for provider_id in chains.entry_providers(directory, provider, subprocessors):
            loss = losses.get(provider_id)
            if loss is None:
                loss = losses[provider_id] = [0, 0]
            loss[0] += count
            if is_material:
                loss[1] += count
    hhi_material = hhi(t.material for t in parents.values())
    trend = None
    if compare_as_of is not None:
        check_as_of(compare_as_of)
        other = _material_hhi(source, evaluate_source(source, policy, compare_as_of), chains)
        trend = Trend(compare_as_of, other, hhi_material - other)
    ranking = sorted(
        (
            Loss(p, names.get(p, (p, ""))[0], names.get(p, ("", ""))[1] or None, m, n)
            for p, (n, m) in losses.items()
        ),
        key=lambda loss: (-loss.material, -loss.registrations, loss.provider),
    )[:RANKING_SIZE]
    scenario_found = (
        _scenario(
            _walk(source, decisions, chains), names, providers=without, countries=without_country
        )
        if without or without_country
        else None
    )
    return Portfolio(
        as_of=as_of,
        policy_id=policy.id,
        organisation=organisation,
        registrations=len(decisions),
        by_deployment=by_deployment,
        by_verdict=by_verdict,
        material=material,
        material_public=material_public,
        by_ultimate_parent=_rows(parents, names),
        by_provider=_rows(providers, names),
        by_jurisdiction=_rows(countries, names, countries=True),
        hhi_material=hhi_material,
        calendar=_calendar(decisions),
        ranking=ranking,
        trend=trend,
        scenario=scenario_found,
    )


# --- scenarios ----------------------------------------------------------------------------------


def _scenario(
    walked: Iterable[_Walked],
    names: dict[str, tuple[str, str]],
    *,
    providers: Sequence[str] = (),
    countries: Sequence[str] = (),
) -> Scenario:
    """The registrations that depend on any of ``providers`` or have any of ``countries`` in
    their jurisdiction chain."""
    wanted_providers, wanted_countries = frozenset(providers), frozenset(countries)
    hit: list[str] = []
    material: list[str] = []
    organisations: set[str] = set()
    critical_count = tested = with_lead = lead_sum = 0
    lead_max: int | None = None
    for registration, decision, _, chain, critical in walked:
        if not (wanted_providers & chain or wanted_countries.intersection(decision.jurisdictions)):
            continue
        hit.append(registration.id)
        organisations.add(registration.organisation)
        if decision.material is True:
            material.append(registration.id)
        if critical:
            critical_count += 1
        plan = registration.exit_plan
        if plan is not None and plan.emergency is not None:
            if plan.last_tested is not None:
                tested += 1
            days = plan.emergency.lead_time_days
            if days is not None:
                with_lead += 1
                lead_sum += days
                lead_max = days if lead_max is None else max(lead_max, days)
    keys = [*providers, *countries]
    labels = [names.get(p, (p, ""))[0] for p in providers] + list(countries)
    kind = (
        "provider"
        if providers and not countries
        else "country"
        if countries and not providers
        else "combined"
    )
    return Scenario(
        kind=kind,
        key="+".join(keys),
        name=" + ".join(labels),
        registrations=tuple(sorted(hit)),
        material=tuple(sorted(material)),
        organisations=tuple(sorted(organisations)),
        critical_or_essential=critical_count,
        with_tested_emergency_plan=tested,
        with_exit_lead_time=with_lead,
        exit_lead_time_days_sum=lead_sum,
        exit_lead_time_days_max=lead_max,
    )


def scenario(
    source: Source,
    policy: Policy,
    as_of: dt.date,
    *,
    provider: str | None = None,
    country: str | None = None,
    organisation: str | None = None,
) -> Scenario:
    """One scenario on its own: provider ``provider`` falls away (at any level of the chain),
    or country ``country``'s law reaches the data. Exactly one of the two."""
    if (provider is None) == (country is None):
        raise ValueError("kies een leverancier of een land")
    check_as_of(as_of)
    source = source.only(organisation)
    decisions = evaluate_source(source, policy, as_of)
    chains = Chains()
    return _scenario(
        _walk(source, decisions, chains),
        _names(source),
        providers=() if provider is None else (provider,),
        countries=() if country is None else (country,),
    )


# --- policy impact ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerdictChange:
    registration: str
    organisation: str
    before: str  # verdict under the base policy
    after: str  # verdict under the other policy


@dataclass(slots=True)
class PolicyImpact:
    as_of: dt.date
    base: str
    other: str
    registrations: int
    changes: list[VerdictChange]  # by registration id
    transitions: dict[tuple[str, str], int]  # (from, to) -> registrations, most first
    per_organisation: dict[str, int]  # organisation -> changed registrations, by id

    @property
    def changed(self) -> int:
        return len(self.changes)


def policy_impact(
    source: Source,
    base: Policy,
    other: Policy,
    as_of: dt.date,
    *,
    organisation: str | None = None,
) -> PolicyImpact:
    """Which registrations change verdict when ``other`` replaces ``base``, on ``as_of``."""
    check_as_of(as_of)
    source = source.only(organisation)
    before = evaluate_source(source, base, as_of)
    after = evaluate_source(source, other, as_of)
    changes = [
        VerdictChange(r.id, r.organisation, b.verdict.value, a.verdict.value)
        for r, b, a in zip(source.registrations, before, after, strict=True)
        if b.verdict is not a.verdict
    ]
    changes.sort(key=lambda c: c.registration)
    transitions = Counter((c.before, c.after) for c in changes)
    per_org = Counter(c.organisation for c in changes)
    return PolicyImpact(
        as_of=as_of,
        base=base.id,
        other=other.id,
        registrations=len(source.registrations),
        changes=changes,
        transitions=dict(sorted(transitions.items(), key=lambda item: (-item[1], item[0]))),
        per_organisation=dict(sorted(per_org.items())),
    )


# --- as JSON ------------------------------------------------------------------------------------


def _concentration_json(
    row: Concentration, total: Portfolio, *, country: bool = False
) -> dict[str, object]:
    out: dict[str, object] = (
        {"country": row.key}
        if country
        else {"provider": row.key, "name": row.name, "country": row.country}
    )
    out.update(
        registrations=row.registrations,
        material=row.material,
        critical_or_essential=row.critical_or_essential,
        organisations=row.organisations,
        material_public=row.material_public,
        share_of_material=_share(row.material, total.material["yes"]),
        share_of_material_public=_share(row.material_public, total.material_public),
    )
    return out


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def scenario_json(found: Scenario) -> dict[str, object]:
    return {
        "kind": found.kind,
        "key": found.key,
        "name": found.name,
        "registrations": len(found.registrations),
        "material": len(found.material),
        "organisations": list(found.organisations),
        "critical_or_essential": found.critical_or_essential,
        "with_tested_emergency_plan": found.with_tested_emergency_plan,
        "with_exit_lead_time": found.with_exit_lead_time,
        "exit_lead_time_days_sum": found.exit_lead_time_days_sum,
        "exit_lead_time_days_max": found.exit_lead_time_days_max,
        "registration_ids": list(found.registrations),
        "material_registrations": list(found.material),
    }


def portfolio_json(found: Portfolio) -> dict[str, object]:
    """The portfolio as ``cloudtoets portfolio --format json`` and the API give it."""
    out: dict[str, object] = {
        "as_of": found.as_of.isoformat(),
        "policy": found.policy_id,
        "organisation": found.organisation,
        "registrations": found.registrations,
        "by_deployment": found.by_deployment,
        "by_verdict": found.by_verdict,
        "material": found.material,
        "material_public": found.material_public,
        "concentration": {
            "by_ultimate_parent": [_concentration_json(r, found) for r in found.by_ultimate_parent],
            "by_provider": [_concentration_json(r, found) for r in found.by_provider],
            "by_jurisdiction": [
                _concentration_json(r, found, country=True) for r in found.by_jurisdiction
            ],
            "hhi_material": found.hhi_material,
            "hhi_trend": None
            if found.trend is None
            else {
                "as_of": found.trend.as_of.isoformat(),
                "hhi_material": found.trend.hhi_material,
                "change": found.trend.change,
            },
        },
        "calendar": [
            {
                "quarter": q.key,
                "first_day": q.first_day.isoformat(),
                "last_day": q.last_day.isoformat(),
                "deadlines": q.count,
            }
            for q in found.calendar
        ],
        "ranking": [
            {
                "provider": loss.provider,
                "name": loss.name,
                "country": loss.country,
                "material": loss.material,
                "registrations": loss.registrations,
            }
            for loss in found.ranking
        ],
    }
    if found.scenario is not None:
        out["scenario"] = scenario_json(found.scenario)
    return out


def policy_impact_json(found: PolicyImpact) -> dict[str, object]:
    return {
        "as_of": found.as_of.isoformat(),
        "base": found.base,
        "other": found.other,
        "registrations": found.registrations,
        "changed": found.changed,
        "transitions": [
            {"from": before, "to": after, "registrations": n}
            for (before, after), n in found.transitions.items()
        ],
        "per_organisation": found.per_organisation,
        "changes": [
            {
                "registration": c.registration,
                "organisation": c.organisation,
                "from": c.before,
                "to": c.after,
            }
            for c in found.changes
        ],
    }
