"""The API's input and output shapes.

Input: a registration is the domain's own ``Registration`` (the interface.md record), so the API
accepts exactly what an inventory accepts; ``RegistrationIn`` only adds the read-only fields a
GET returns, so a fetched registration can be sent back as it is.

Output: the routes answer with plain data serialised by orjson (api/encoding.py); the models below
document those shapes in OpenAPI and are checked against real responses in the tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    TypeAdapter,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from typing_extensions import TypedDict

from cloudtoets.domain.knowledge import (
    LIST_FACTS,
    NEVER_EMPTY,
    NONE_CODE,
    NONE_CODED,
    QUESTIONS,
    REGISTRATION_FACTS,
)
from cloudtoets.domain.labels import LABELS
from cloudtoets.domain.model import Inventory, Registration
from cloudtoets.domain.vocabulary import Deployment, OrganisationType, Scope, Severity, Verdict

# --- problems ---------------------------------------------------------------------------------


class RecordRef(TypedDict):
    list: str
    index: int


class ErrorItem(TypedDict, total=False):
    where: Annotated[str, Field(description="Waar het probleem zit, in gewone taal")]
    field: Annotated[str | None, Field(description="Het veld (met punten voor geneste velden)")]
    message: Annotated[str, Field(description="Wat er mis is en wat u kunt doen")]
    record: Annotated[RecordRef | None, Field(description="Lijst en volgnummer (vanaf 0)")]


class ProblemDetails(BaseModel):
    """Een fout als problem details (RFC 9457), met het verzoeknummer en per type extra velden."""

    model_config = ConfigDict(title="Probleem")

    type: str = Field(description="URI van het probleemtype; GET geeft de uitleg")
    title: str
    status: int
    detail: str
    instance: str = Field(description="Het pad van het verzoek")
    request_id: str | None = Field(None, description="Het verzoeknummer (ook X-Request-ID)")
    errors: list[ErrorItem] | None = Field(None, description="Bij ongeldige invoer: elk probleem")
    current_version: int | None = Field(None, description="Bij 412: de huidige versie")
    current: dict[str, Any] | None = Field(None, description="Bij 412: de huidige waarden")


class ProblemType(BaseModel):
    type: str
    title: str
    status: int | None
    explanation: str


class SchemaVersions(BaseModel):
    current: str | None = Field(description="De schemaversie van de database (None: leeg).")
    head: str | None = Field(description="De versie die deze cloudtoets nodig heeft.")


class ReadinessOut(BaseModel):
    """What /health/ready answers when this process can serve the register."""

    status: Literal["ready"]
    checks: dict[str, str] = Field(description="Per controle (database, schema): ok.")
    schema_: SchemaVersions = Field(alias="schema")


def inline_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its ``$defs`` substituted in place (for a schema outside components)."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


# --- registrations --------------------------------------------------------------------------


def fact_description(fact: str) -> str:
    """The OpenAPI description of a registration fact: label, question and what null and the
    known nothing mean (unknowns.md), from domain/knowledge.py and domain/labels.py."""
    label = LABELS["registrations"][fact][0]
    parts = [f"{label}. {QUESTIONS[fact]}", "null: onbekend."]
    if fact in NONE_CODED:
        parts.append(f'"{NONE_CODE}": bekend dat er geen is.')
    if fact in NEVER_EMPTY:
        parts.append("Een lege lijst is ook onbekend: data staat altijd ergens.")
    elif fact in LIST_FACTS:
        parts.append("[]: bekend dat er geen zijn.")
    if fact == "provider":
        parts.append("Bij deployment private-internal betekent null: geen leverancier.")
    return " ".join(parts)


class _DescribedFacts:
    """Adds the Dutch description of every fact field to a registration's JSON schema."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        properties = target.get("properties", {})
        for fact in REGISTRATION_FACTS:
            if fact in properties:
                properties[fact]["description"] = fact_description(fact)
        return json_schema


@dataclasses.dataclass
class RegistrationIn(_DescribedFacts, Registration):
    """Een registratie zoals in interface.md. Een feit dat niet bekend is, is null of ontbreekt
    (onbekend); `id` en `organisation` zijn altijd nodig en kunnen niet null zijn. `version` en
    `decision` zijn alleen-lezen: een registratie van GET kan ongewijzigd terug, beide worden
    genegeerd (de versie die telt staat in If-Match)."""

    version: Annotated[int | None, Field(description="Alleen-lezen; wordt genegeerd")] = None
    decision: Annotated[
        dict[str, Any] | None, Field(description="Alleen-lezen; wordt genegeerd")
    ] = None

    def registration(self) -> Registration:
        return Registration(
            **{f.name: getattr(self, f.name) for f in dataclasses.fields(Registration)}
        )


class FindingOut(BaseModel):
    rule: str
    section: str
    severity: Severity
    deadline: dt.date | None = Field(description="De termijn in het beste geval")
    justified: bool
    message: str = Field(description="Uitleg in gewone taal: wat er mis is en wat te doen")
    certain: bool = Field(
        description="true: de bevinding staat vast; false: mogelijk, afhankelijk van de "
        "antwoorden op de open vragen"
    )


class VerdictRange(BaseModel):
    """Het beste en het slechtste oordeel dat nog mogelijk is; gelijk als het oordeel vaststaat."""

    best: Verdict
    worst: Verdict


class QuestionOut(BaseModel):
    """Een onbekend feit dat het resultaat kan veranderen."""

    field: str = Field(description="Het veld; velden van de organisatie als organisation.<veld>")
    rules: list[str] = Field(description="De regels die het antwoord kan veranderen")
    question: str = Field(description="De vraag in gewone taal")


class CheckResult(BaseModel):
    """Eén resultaat van `cloudtoets check --format json` (interface.md, unknowns.md). null bij
    public_cloud, external_cloud, material en existing_use: onbekend."""

    registration: str
    organisation: str
    scope: Scope
    public_cloud: bool | None
    external_cloud: bool | None
    material: bool | None
    existing_use: bool | None
    material_reasons: list[str]
    jurisdictions: list[str] = Field(description="De bekende landen van de keten (gesorteerd)")
    jurisdictions_complete: bool = Field(
        description="false als de keten open is: leverancier of subverwerkers onbekend"
    )
    effective_tbb_level: int | None
    verdict: Verdict = Field(
        description="Het oordeel; incomplete (onvolledig) als het beste en het slechtste "
        "oordeel verschillen"
    )
    verdict_range: VerdictRange
    deadline: dt.date | None
    findings: list[FindingOut]
    questions: list[QuestionOut] = Field(
        description="De vragen die het oordeel vaststellen; [] als niets relevants onbekend is"
    )


class PolicyRef(BaseModel):
    id: str
    revision: str


class DecisionOut(CheckResult):
    """Een oordeel: het toetsresultaat met de peildatum en de precieze beleidsversie."""

    as_of: dt.date
    policy: PolicyRef


@dataclasses.dataclass(kw_only=True)
class RegistrationDetail(_DescribedFacts, Registration):
    """Een registratie met alle velden van interface.md, de versie en het oordeel van vandaag.
    Een feit dat niet bekend is, is null."""

    version: int
    decision: DecisionOut


class RegistrationSummary(BaseModel):
    id: str
    name: str | None
    organisation: str
    provider: str | None
    deployment: Deployment | None = Field(description="null: onbekend")
    verdict: Verdict | None = Field(
        description="Het laatste oordeel; incomplete (onvolledig) als het beste en het "
        "slechtste oordeel verschillen; null: nog niet getoetst"
    )
    deadline: dt.date | None
    material: bool | None = Field(description="null: onbekend of nog niet getoetst")
    public_cloud: bool | None = Field(description="null: onbekend of nog niet getoetst")
    jurisdictions: list[str]
    findings_count: int
    evaluated_on: dt.date | None
    version: int
    verdict_range: VerdictRange | None = Field(
        description="Beste en slechtste oordeel; sorteren op verdict gaat op het slechtste"
    )


class RegistrationPage(BaseModel):
    items: list[RegistrationSummary]
    total: int = Field(description="Aantal registraties dat aan de filters voldoet")
    page: int
    page_size: int


class DecisionRecord(BaseModel):
    id: int
    as_of: dt.date
    evaluated_at: dt.datetime
    policy: PolicyRef
    verdict: Verdict
    deadline: dt.date | None
    result: CheckResult = Field(
        description="Het toetsresultaat zoals toen vastgelegd; oordelen van vóór de onbekende "
        "feiten (migratie 0010) hebben geen verdict_range, questions, existing_use, "
        "jurisdictions_complete en certain"
    )
    input: dict[str, Any] = Field(
        description="Het inventarisdocument waarmee cloudtoets check dit oordeel reproduceert"
    )


class DecisionList(BaseModel):
    items: list[DecisionRecord]


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    request_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditList(BaseModel):
    items: list[AuditEntry]
    total: int = Field(description="Aantal wijzigingen in alles, niet alleen op deze pagina")
    page: int
    page_size: int


# --- organisations and providers --------------------------------------------------------------


class OrganisationOut(BaseModel):
    id: str
    name: str | None
    type: OrganisationType
    critical_entity: bool | None = Field(description="Kritieke entiteit; null: onbekend")
    essential_entity: bool | None = Field(description="Essentiële entiteit; null: onbekend")
    vital_provider: bool | None = Field(description="Vitale aanbieder; null: onbekend")
    registrations: int = Field(description="Aantal registraties")
    by_verdict: dict[str, int] = Field(description="Registraties per oordeel")


class OrganisationList(BaseModel):
    items: list[OrganisationOut]
    total: int


class ProviderOut(BaseModel):
    id: str
    name: str | None
    country: str = Field(description="Land van de statutaire zetel")
    headquarters: str | None = Field(
        None,
        description="Land van waaruit de leverancier feitelijk wordt geleid, als dat een ander "
        "land is dan de statutaire zetel",
    )
    parent: str | None
    subprocessors: list[str] = Field(
        [],
        description="Leveranciers die deze leverancier zelf gebruikt voor de data (bijvoorbeeld "
        "de hosting); ze horen bij de keten van elk gebruik van deze leverancier",
    )
    chain: list[str] = Field(description="De leverancier en haar moederbedrijven, tot de top")
    subprocessor_chains: list[list[str]] = Field(
        [],
        description="De ketens van de eigen subverwerkers (van de leverancier en haar "
        "moederbedrijven, en van hen weer), elk van de subverwerker tot de top",
    )
    jurisdictions: list[str] = Field(
        description="Landen van de keten en van de ketens van de eigen subverwerkers (gesorteerd)"
    )
    outside_eea: list[str]
    source: str = Field(description='"catalogue" of het kenmerk van de organisatie')
    kind: str | None = None
    services: list[str] = []
    reference: str | None = Field(None, description="Bron van de eigendomsgegevens (catalogus)")
    checked: dt.date | None = Field(
        None, description="Datum waarop de catalogus de gegevens tegen de bron controleerde"
    )
    note: str | None = None
    uncertain: str | None = None


class ProviderList(BaseModel):
    items: list[ProviderOut]
    total: int


# --- inventories ------------------------------------------------------------------------------


class PolicyHead(BaseModel):
    id: str
    adopted: dt.date
    version: str
    revision: str


class CheckSummary(BaseModel):
    registrations: int
    by_verdict: dict[str, int]
    mandatory_by_verdict: dict[str, int]


class CheckDocument(BaseModel):
    """Precies het document van `cloudtoets check --format json`."""

    policy: PolicyHead
    as_of: dt.date
    results: list[CheckResult]
    summary: CheckSummary


class Changes(BaseModel):
    new: list[str]
    changed: list[str]
    unchanged: list[str]


class ImportPlanOut(BaseModel):
    source: str
    ok: bool
    organisations: Changes
    providers: Changes = Field(description="Als organisatie/leverancier")
    registrations: Changes
    verdicts: dict[str, int] = Field(description="Oordelen na de import, per oordeel")
    problems: list[ErrorItem]
    notes: list[ErrorItem] = Field(
        default_factory=list,
        description="Wat het bestand bevat maar de import niet overneemt: bewijs (risicoanalyse, "
        "exitplan, melding, afwijkingen) komt alleen uit de werkstromen, en stamgegevens van een "
        "organisatie wijzigt alleen een beheerder of CIO Rijk. De import gaat wel door.",
    )


INVENTORY_SCHEMA = inline_schema(TypeAdapter(Inventory).json_schema())


def _iso_date_only(value: object) -> object:
    """A date query parameter is written JJJJ-MM-DD; a bare number is not a date here."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("schrijf de datum als JJJJ-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
