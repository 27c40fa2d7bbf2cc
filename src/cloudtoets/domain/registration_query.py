"""The registration list's question: filters, order and page, and one parser for its filters.

The web page and the API read the same filters from their own query parameters (Dutch names on
the page, English in the API) and hand the values to ``parse_filters``. An unknown value is
refused in the API (``strict``: the caller answers 422) and counts as not chosen on the page.

``verdict`` is the verdict as shown (``incomplete`` when the best and the worst verdict differ,
unknowns.md); ``worst`` is the worst verdict, which is also what sorting on the verdict uses.
``unknown`` names facts (the keys of domain/knowledge.py ``QUESTIONS``: a registration's, and
its organisation's as ``organisation.critical_entity``) that must all be unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Literal, cast, get_args

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.knowledge import QUESTIONS
from cloudtoets.domain.vocabulary import Deployment, Verdict

SortKey = Literal[
    "id", "name", "organisation", "verdict", "deadline", "provider", "deployment", "findings"
]
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)
LAST_PAGE = 1_000_000  # a page beyond this is a typing error, not a wish

_VERDICTS = frozenset(v.value for v in Verdict)
# a worst verdict is one of the five real verdicts, never incomplete
_WORST_VERDICTS = _VERDICTS - {Verdict.INCOMPLETE.value}
_DEPLOYMENTS = frozenset(d.value for d in Deployment)


# one value, or several: "any of" (a repeated filter parameter)
Choice = str | tuple[str, ...] | None
# the filters that take several values
MULTI_FILTERS = (
    "organisation",
    "verdict",
    "deployment",
    "provider",
    "jurisdiction",
    "worst",
    "parent",
    "ultimate_parent",
)


def choices(value: Choice) -> tuple[str, ...]:
    """The values of a filter as a tuple (empty: not chosen)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class RegistrationQuery:
    """Filters, order and page of the registration list, as the store runs it.

    A filter with several values matches any of them. ``provider`` is the contracting
    provider; ``parent`` any provider in the chain (the provider, its parents, the
    sub-processors and theirs); ``ultimate_parent`` the last entity of the provider's ownership
    chain. ``public_cloud`` and ``external_cloud`` are the derived facts, known only.
    """

    organisation: Choice = None
    verdict: Choice = None
    deployment: Choice = None
    provider: Choice = None
    jurisdiction: Choice = None
    material: bool | None = None
    search: str | None = None
    worst: Choice = None
    unknown: tuple[str, ...] = ()  # facts that are all unknown, in QUESTIONS order
    parent: Choice = None
    ultimate_parent: Choice = None
    public_cloud: bool | None = None
    external_cloud: bool | None = None
    sort: SortKey = "id"
    descending: bool = False
    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The filters as chosen and checked; ``sort`` is a sort key, with ``-`` for descending.
    A filter chosen once holds its value, chosen several times a tuple (any of them)."""

    organisation: Choice = None
    verdict: Choice = None
    deployment: Choice = None
    provider: Choice = None
    jurisdiction: Choice = None
    material: bool | None = None
    search: str | None = None
    worst: Choice = None
    unknown: tuple[str, ...] = ()
    sort: str = "id"
    page: int = 1
    parent: Choice = None
    ultimate_parent: Choice = None
    public_cloud: bool | None = None
    external_cloud: bool | None = None

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (order and page do not)."""
        chosen = (self.organisation, self.verdict, self.deployment, self.provider, self.worst)
        known = (self.material, self.public_cloud, self.external_cloud)
        return (
            any(chosen)
            or any((self.jurisdiction, self.search, self.parent, self.ultimate_parent))
            or any(value is not None for value in known)
            or bool(self.unknown)
        )

    def query(self, page_size: int) -> RegistrationQuery:
        return RegistrationQuery(
            organisation=self.organisation,
            verdict=self.verdict,
            deployment=self.deployment,
            provider=self.provider,
            jurisdiction=self.jurisdiction,
            material=self.material,
            search=self.search,
            worst=self.worst,
            unknown=self.unknown,
            parent=self.parent,
            ultimate_parent=self.ultimate_parent,
            public_cloud=self.public_cloud,
            external_cloud=self.external_cloud,
            sort=cast(SortKey, self.sort.removeprefix("-")),  # checked by parse_filters
            descending=self.sort.startswith("-"),
            page=self.page,
            page_size=page_size,
        )


class UnknownFilterValue(ValueError):
    """A filter value the list does not know; ``name`` is the filter, ``message`` in Dutch."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message
        super().__init__(message)


Chosen = str | Iterable[str] | None


def _given(value: Chosen) -> list[str]:
    """The values given for a filter: one text, or several (a repeated parameter)."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [v for v in values if v]


def _one_or_many(values: list[str]) -> Choice:
    unique = tuple(dict.fromkeys(values))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else unique


def parse_filters(
    *,
    organisation: Chosen = None,
    verdict: Chosen = None,
    deployment: Chosen = None,
    provider: Chosen = None,
    jurisdiction: Chosen = None,
    material: bool | None = None,
    search: str | None = None,
    worst: Chosen = None,
    unknown: Iterable[str] = (),
    sort: str | None = None,
    page: int = 1,
    strict: bool = False,
    sorts: Collection[str] = SORT_KEYS,
    default_sort: str = "id",
    parent: Chosen = None,
    ultimate_parent: Chosen = None,
    public_cloud: bool | None = None,
    external_cloud: bool | None = None,
) -> ListFilters:
    """The filters with every value checked: a verdict, deployment, country code (any case),
    fact and sort key the list knows. An unknown one raises UnknownFilterValue when ``strict``,
    and is left out otherwise (the sort falls back to ``default_sort``). None means not chosen.
    ``unknown`` takes fact names, each also as a comma-separated list (``a,b``). Every filter
    but ``material``, the two cloud facts, ``search`` and ``unknown`` takes several values
    (any of them)."""

    def refused(name: str, message: str) -> None:
        if strict:
            raise UnknownFilterValue(name, message)

    def checked(name: str, given: Chosen, allowed: Collection[str], message: str) -> Choice:
        kept = []
        for value in _given(given):
            if value in allowed:
                kept.append(value)
            else:
                refused(name, message.format(value=value))
        return _one_or_many(kept)

    verdicts = checked("verdict", verdict, _VERDICTS, "onbekend oordeel '{value}'")
    worsts = checked("worst", worst, _WORST_VERDICTS, "onbekend slechtste oordeel '{value}'")
    facts = _facts(unknown, refused)
    deployments = checked("deployment", deployment, _DEPLOYMENTS, "onbekend inzetmodel '{value}'")
    countries = checked(
        "jurisdiction",
        [code.upper() for code in _given(jurisdiction)],
        ISO_COUNTRY_CODES,
        "onbekende landcode '{value}'; gebruik een ISO-code zoals NL of US",
    )
    sort = sort or default_sort
    if sort.removeprefix("-") not in sorts:
        refused("sort", f"onbekende sortering '{sort}'")
        sort = default_sort
    return ListFilters(
        organisation=_one_or_many(_given(organisation)),
        verdict=verdicts,
        deployment=deployments,
        provider=_one_or_many(_given(provider)),
        jurisdiction=countries,
        material=material,
        search=search or None,
        worst=worsts,
        unknown=facts,
        sort=sort,
        page=min(max(page, 1), LAST_PAGE),
        parent=_one_or_many(_given(parent)),
        ultimate_parent=_one_or_many(_given(ultimate_parent)),
        public_cloud=public_cloud,
        external_cloud=external_cloud,
    )


def _facts(values: Iterable[str], refused: Callable[[str, str], None]) -> tuple[str, ...]:
    """The fact names among ``values`` (each possibly a comma list), in QUESTIONS order."""
    names = {part.strip() for value in values for part in value.split(",") if part.strip()}
    strange = sorted(names - set(QUESTIONS))
    if strange:
        quoted = ", ".join(f"'{name}'" for name in strange)
        named = "onbekend veld" if len(strange) == 1 else "onbekende velden"
        refused(
            "unknown",
            f"{named} {quoted}; kies uit de feiten van een registratie en haar organisatie: "
            + ", ".join(QUESTIONS),
        )
    return tuple(name for name in QUESTIONS if name in names)
