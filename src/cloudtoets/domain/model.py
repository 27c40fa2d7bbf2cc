"""The register's objects as plain dataclasses, named after interface.md.

A fact that is not known is ``None`` (unknowns.md): a record read from any format only names what
it knows, and nothing it leaves out becomes an answer. A known "nothing" is explicit: ``[]`` for
a list, the ``none`` code for classification, TBB level and key register. Evidence (risk
assessment, exit plan, notification, justifications, ABRO declaration, contract and lifecycle
dates) is absent when not recorded, as before. Countries are upper-case ISO codes by the time
they get here (io/ normalises).

Lists inside a record have a maximum length (``max_length``, checked by the validation before it
looks at the items): no registration has hundreds of functions or sub-processors, and an upload
cannot make the register walk millions of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Final, Literal, TypeVar

from pydantic import ConfigDict, Field

from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    KeyCustody,
    KeyRegister,
    OrganisationType,
    PersonalData,
    PrivacyTechnique,
    ServiceFunction,
    ServiceModel,
)

# "none": known to have no TBB level (unknowns.md); None: not known
TbbLevel = Literal[1, 2, 3, 4, "none"]

MAX_LIST: Final = 100  # items in one list field of a record
MAX_COUNTRIES: Final = 250  # ISO 3166 has 249 country codes
_Item = TypeVar("_Item")
ShortList = Annotated[list[_Item], Field(max_length=MAX_LIST)]
Countries = Annotated[list[str], Field(max_length=MAX_COUNTRIES)]


@dataclass(slots=True)
class Organisation:
    id: str
    type: OrganisationType
    name: str | None = None
    critical_entity: bool | None = None
    essential_entity: bool | None = None
    vital_provider: bool | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.id


@dataclass(slots=True)
class Provider:
    """A legal entity: ``country`` is its registered office, ``headquarters`` the country it is
    effectively run from when that differs (None: run from ``country``), ``subprocessors`` the
    providers it uses itself (unknowns.md, "Providers: where control sits")."""

    id: str
    country: str
    name: str | None = None
    parent: str | None = None
    headquarters: str | None = None
    # providers this one uses for the data (its hosting, say): part of every chain it is in
    subprocessors: ShortList[str] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return self.name or self.id

    @property
    def countries(self) -> tuple[str, ...]:
        """The countries whose law reaches this entity: registered office, then headquarters."""
        headquarters = self.headquarters
        if headquarters is None or headquarters == self.country:
            return (self.country,)
        return (self.country, headquarters)


@dataclass(slots=True)
class RiskAssessment:
    date: dt.date | None = None
    covers_lock_in: bool = False
    covers_jurisdiction: bool = False
    accepted_by: str | None = None
    accepted_on: dt.date | None = None


@dataclass(slots=True)
class ExitScenario:
    lead_time_days: int | None = None
    preconditions: ShortList[str] = field(default_factory=list)


@dataclass(slots=True)
class ExitPlan:
    planned: ExitScenario | None = None
    emergency: ExitScenario | None = None
    data_return: bool = False
    data_destruction: bool = False
    last_tested: dt.date | None = None
    last_reviewed: dt.date | None = None


@dataclass(slots=True)
class Notification:
    submitted_on: dt.date | None = None
    to: str | None = None


@dataclass(slots=True)
class Justification:
    """A recorded comply-or-explain decision for one advised-against rule."""

    rule: str
    reason: str = ""
    accepted_by: str | None = None
    accepted_on: dt.date | None = None
    reported_on: dt.date | None = None
    continuity_risk_established: bool = False
    risk_and_exit_tested: bool = False
    minister_consent_on: dt.date | None = None


@dataclass(slots=True)
class Registration:
    """One use of one cloud service by one organisation."""

    id: str
    organisation: str
    deployment: Deployment | None = None
    name: str | None = None
    # None with deployment private-internal: run by government itself, no provider
    provider: str | None = None
    subprocessors: ShortList[str] | None = None
    service_model: ServiceModel | None = None
    functions: ShortList[ServiceFunction] | None = None
    # an empty list is as unknown as None: data is always somewhere
    storage_countries: Countries | None = None
    processing_countries: Countries | None = None
    encrypted_at_rest: bool | None = None
    encrypted_in_transit: bool | None = None
    key_custody: KeyCustody | None = None
    open_data: bool | None = None
    classification: Classification | None = None
    tbb_level: TbbLevel | None = None
    personal_data: PersonalData | None = None
    large_scale_personal_data: bool | None = None
    pets: ShortList[PrivacyTechnique] | None = None
    core_task: bool | None = None
    business_critical: bool | None = None
    material: bool | None = None
    key_register: KeyRegister | None = None
    holds_source_data: bool | None = None
    abro_declaration: bool = False
    in_use_since: dt.date | None = None
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    lifecycle_moment: dt.date | None = None
    lifecycle_justification: str = ""
    risk_assessment: RiskAssessment | None = None
    exit_plan: ExitPlan | None = None
    notification: Notification | None = None
    justifications: ShortList[Justification] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return self.name or self.id


@dataclass(slots=True)
class Inventory:
    """One inventory document: the three lists of interface.md."""

    organisations: list[Organisation] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)


# Unknown keys are errors wherever these classes are validated (inventories, the API): a misspelt
# key would otherwise silently fall back to a default.
for _cls in (
    Inventory,
    Organisation,
    Provider,
    Registration,
    RiskAssessment,
    ExitPlan,
    ExitScenario,
    Notification,
    Justification,
):
    _cls.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[union-attr]
