"""The shape of a policy file, checked before anything is compiled.

Every key is known: an unknown key is an error, so a typo cannot silently switch a rule off.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    OrganisationType,
    PrivacyTechnique,
    Scope,
    Severity,
    Verdict,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _country_set(values: list[Any]) -> frozenset[str]:
    if not all(isinstance(v, str) for v in values):
        raise ValueError("elke landcode is een tekst, zoals NL of DE; haal de andere waarden weg")
    codes = frozenset(v.upper() for v in values)
    unknown = sorted(codes - ISO_COUNTRY_CODES)
    if unknown:
        raise ValueError(f"onbekende landcode(s) {', '.join(unknown)}; gebruik ISO 3166-1 alpha-2")
    return codes


# A period name becomes part of a Python name in the compiled policy (engine/compiler.py).
PERIOD_NAME = r"^[a-z][a-z0-9_]{0,39}$"


class Period(_Strict):
    """A named transition period: years, months or both (``{years: 4}``, ``{months: 18}``)."""

    years: int = Field(0, ge=0, le=50)
    months: int = Field(0, ge=0, le=600)

    @model_validator(mode="before")
    @classmethod
    def _something_given(cls, value: Any) -> Any:
        if isinstance(value, dict) and not ({"years", "months"} & set(value)):
            raise ValueError("geef de duur in years, months of allebei, zoals {years: 4}")
        return value

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


class Parameters(_Strict):
    adopted: dt.date
    # named periods a rule's ``transition.period`` refers to; no name is special to the code
    transition_periods: dict[Annotated[str, Field(pattern=PERIOD_NAME)], Period] = Field(
        min_length=1
    )
    exit_test_months: int = Field(ge=1, le=600)
    # how often an exit plan is reviewed again, and an accepted deviation confirmed again
    exit_review_months: int = Field(12, ge=1, le=600)
    justification_review_months: int = Field(12, ge=1, le=600)
    eea: frozenset[str]
    allowed_countries: frozenset[str]
    public_deployments: frozenset[Deployment]
    internal_deployments: frozenset[Deployment]
    scope_by_org_type: dict[OrganisationType, Scope]
    tbb_by_classification: dict[Classification, Literal[1, 2, 3, 4]]
    pets_vocabulary: frozenset[PrivacyTechnique]
    # states with an offensive cyber programme against the Netherlands (policy 2022, C2000)
    offensive_cyber_states: frozenset[str]

    def period_months(self, name: str) -> int:
        """The length in months of the named transition period."""
        return self.transition_periods[name].total_months

    @field_validator("eea", "allowed_countries", "offensive_cyber_states", mode="before")
    @classmethod
    def _countries(cls, value: Any) -> Any:
        return _country_set(value) if isinstance(value, list) else value

    @field_validator("scope_by_org_type")
    @classmethod
    def _every_type(cls, value: dict[OrganisationType, Scope]) -> dict[OrganisationType, Scope]:
        missing = [t.value for t in OrganisationType if t not in value]
        if missing:
            raise ValueError(
                f"geef een scope voor elk organisatietype; ontbreekt: {', '.join(missing)}"
            )
        return value

    @field_validator("tbb_by_classification")
    @classmethod
    def _every_classification(cls, value: dict[Classification, int]) -> dict[Classification, int]:
        if Classification.NONE in value:
            raise ValueError("'none' (ongerubriceerd) heeft geen TBB-niveau; laat het weg")
        missing = [c.value for c in Classification if c not in value and c != Classification.NONE]
        if missing:
            raise ValueError(
                f"geef een TBB-niveau voor elke rubricering; ontbreekt: {', '.join(missing)}"
            )
        return value


class Texts(_Strict):
    section: str
    deadline_open: str
    deadline_passed: str
    deadline_advisory: str
    no_transition: str
    justified: str


class Transition(_Strict):
    period: str = Field(pattern=PERIOD_NAME)  # a name in parameters.transition_periods
    extensions: bool = False


class RuleText(_Strict):
    title: str = Field(min_length=1)
    problem: str = Field(min_length=1)
    action: str = Field(min_length=1)


JustificationCondition = Literal[
    "continuity_risk_established", "risk_and_exit_tested", "minister_consent_on"
]


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(\.[a-z0-9-]+)+$")
    # the place in the source, as findings report it: "4.3" for section 4.3 of the letter, or
    # another reference ("C2000", "artikel 7 lid 2") for a rule that comes from elsewhere
    section: str = Field(min_length=1, max_length=80, pattern=r"^\S(.*\S)?$")
    # what the rule rests on: "letter" and "summary" for the built-in policies (the letter, or a
    # public summary of the policy document); any other short text names another document
    basis: str = Field(min_length=1, max_length=120, pattern=r"^\S(.*\S)?$")
    # the rule's own citation at the end of its message, instead of the policy's texts.section
    # (for a rule that comes from another document than the policy itself)
    citation: str | None = Field(None, min_length=1)
    severity: Severity
    transition: Transition | None  # "none" in the file: the rule has no transition period
    applies_when: dict[str, Any] | None = None
    finding_when: dict[str, Any]
    justification_requires: tuple[JustificationCondition, ...] = ()
    text: RuleText

    @field_validator("transition", mode="before")
    @classmethod
    def _none(cls, value: Any) -> Any:
        if value == "none":
            return None
        if value is None or isinstance(value, str):
            raise ValueError("schrijf none, of een object zoals {period: existing_use}")
        return value

    @model_validator(mode="after")
    def _justification_only_when_advised_against(self) -> RuleSpec:
        if self.justification_requires and self.severity is not Severity.ADVISED_AGAINST:
            raise ValueError("justification_requires kan alleen bij een afgeraden regel")
        return self


class ExampleExpectation(_Strict):
    verdict: Verdict
    rules: tuple[str, ...] = ()  # exactly the rules with a finding, in any order
    deadline: dt.date | None = None


class Example(_Strict):
    """A registration with its expected verdict, run by ``cloudtoets policy test``. The
    registration and organisation are merged key by key onto ``example_base``."""

    name: str = Field(min_length=1, max_length=120)
    as_of: dt.date | None = None  # None: example_base.as_of
    registration: dict[str, Any] = {}
    organisation: dict[str, Any] = {}
    expect: ExampleExpectation


class ExampleBase(_Strict):
    as_of: dt.date
    organisation: dict[str, Any]
    registration: dict[str, Any]


# A criterion's name is reported as a reason (``material_reasons``); ``declared`` is taken.
CRITERION_NAME = r"^[a-z][a-z0-9_]{0,39}$"


class FactSpec(_Strict):
    """How a fact follows from fields and other facts (policy/facts.py, the facts section):
    one condition (``when``), or named criteria of which any makes it true, with an optional
    yes/no field whose filled-in value decides instead (``declared``)."""

    when: dict[str, Any] | None = None
    declared: str | None = None
    criteria: dict[Annotated[str, Field(pattern=CRITERION_NAME)], dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> FactSpec:
        if (self.when is None) == (self.criteria is None):
            raise ValueError("geef een voorwaarde in when, of criteria (niet allebei)")
        if self.declared is not None and self.criteria is None:
            raise ValueError("declared hoort bij criteria")
        if self.criteria is not None and not self.criteria:
            raise ValueError("geef minstens één criterium")
        if self.criteria is not None and "declared" in self.criteria:
            raise ValueError("een criterium heet niet declared: die reden staat voor declared")
        return self


class PolicyFile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    version: str
    status: Literal["adopted", "variant", "concept"]
    source: str
    parameters: Parameters
    texts: Texts
    rules: tuple[RuleSpec, ...] = Field(min_length=1)
    # facts derived by a condition; a fact left out is derived as in the built-in policy
    facts: dict[str, FactSpec] = Field(default_factory=dict)
    example_base: ExampleBase | None = None
    examples: tuple[Example, ...] = ()
