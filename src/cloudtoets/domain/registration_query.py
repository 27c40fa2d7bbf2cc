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

SortKey = Literal["id", "name", "organisation", "verdict", "deadline", "provider", "deployment"]
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)
LAST_PAGE = 1_000_000  # a page beyond this is a typing error, not a wish

_VERDICTS = frozenset(v.value for v in Verdict)
# a worst verdict is one of the five real verdicts, never incomplete
_WORST_VERDICTS = _VERDICTS - {Verdict.INCOMPLETE.value}
_DEPLOYMENTS = frozenset(d.value for d in Deployment)


@dataclass(frozen=True, slots=True)
class RegistrationQuery:
    """Filters, order and page of the registration list, as the store runs it."""

    organisation: str | None = None
    verdict: str | None = None
    deployment: str | None = None
    provider: str | None = None
    jurisdiction: str | None = None
    material: bool | None = None
    search: str | None = None
    worst: str | None = None
    unknown: tuple[str, ...] = ()  # facts that are all unknown, in QUESTIONS order
    sort: SortKey = "id"
    descending: bool = False
    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The filters as chosen and checked; ``sort`` is a sort key, with ``-`` for descending."""

    organisation: str | None = None
    verdict: str | None = None
    deployment: str | None = None
    provider: str | None = None
    jurisdiction: str | None = None
    material: bool | None = None
    search: str | None = None
    worst: str | None = None
    unknown: tuple[str, ...] = ()
    sort: str = "id"
    page: int = 1

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (order and page do not)."""
        chosen = (self.organisation, self.verdict, self.deployment, self.provider, self.worst)
        return (
            any(chosen)
            or any((self.jurisdiction, self.material is not None, self.search))
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


def parse_filters(
    *,
    organisation: str | None = None,
    verdict: str | None = None,
    deployment: str | None = None,
    provider: str | None = None,
    jurisdiction: str | None = None,
    material: bool | None = None,
    search: str | None = None,
    worst: str | None = None,
    unknown: Iterable[str] = (),
    sort: str | None = None,
    page: int = 1,
    strict: bool = False,
    sorts: Collection[str] = SORT_KEYS,
    default_sort: str = "id",
) -> ListFilters:
    """The filters with every value checked: a verdict, deployment, country code (any case),
    fact and sort key the list knows. An unknown one raises UnknownFilterValue when ``strict``,
    and is left out otherwise (the sort falls back to ``default_sort``). None means not chosen.
    ``unknown`` takes fact names, each also as a comma-separated list (``a,b``)."""

    def refused(name: str, message: str) -> None:
        if strict:
            raise UnknownFilterValue(name, message)

    if verdict is not None and verdict not in _VERDICTS:
        refused("verdict", f"onbekend oordeel '{verdict}'")
        verdict = None
    if worst is not None and worst not in _WORST_VERDICTS:
        refused("worst", f"onbekend slechtste oordeel '{worst}'")
        worst = None
    facts = _facts(unknown, refused)
    if deployment is not None and deployment not in _DEPLOYMENTS:
        refused("deployment", f"onbekend inzetmodel '{deployment}'")
        deployment = None
    if jurisdiction is not None:
        jurisdiction = jurisdiction.upper()
        if jurisdiction not in ISO_COUNTRY_CODES:
            refused(
                "jurisdiction",
                f"onbekende landcode '{jurisdiction}'; gebruik een ISO-code zoals NL of US",
            )
            jurisdiction = None
    sort = sort or default_sort
    if sort.removeprefix("-") not in sorts:
        refused("sort", f"onbekende sortering '{sort}'")
        sort = default_sort
    return ListFilters(
        organisation=organisation,
        verdict=verdict,
        deployment=deployment,
        provider=provider,
        jurisdiction=jurisdiction,
        material=material,
        search=search or None,
        worst=worst,
        unknown=facts,
        sort=sort,
        page=min(max(page, 1), LAST_PAGE),
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
