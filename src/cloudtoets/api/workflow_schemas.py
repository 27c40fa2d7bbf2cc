"""Input and output shapes of the justification and notification routes (OpenAPI).

The routes answer with plain data (api/encoding.py); these models document those shapes, and
the API tests and schemathesis check real responses against them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from cloudtoets.api.schemas import IsoDate

JustificationState = Literal["proposed", "accepted", "withdrawn", "returned", "declared"]
NotificationState = Literal["draft", "submitted", "received", "questions", "answered", "closed"]
StepName = Literal["submit", "receive", "comment", "question", "answer", "close"]
# a row id in the database (a 32-bit integer on PostgreSQL)
ObjectId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Het nummer")]


class JustificationIn(BaseModel):
    """Een voorstel voor een afwijking (pas toe of leg uit) bij een afgeraden bevinding."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(
        min_length=1,
        max_length=100,
        description="De regel met een bevinding 'afgeraden', zoals cb2026.4.5.email",
    )
    reason: str = Field(max_length=10_000, description="Waarom de organisatie afwijkt")
    continuity_risk_established: bool = Field(
        False, description="E-mail en documenten: het continuïteitsrisico is vastgesteld"
    )
    risk_and_exit_tested: bool = Field(
        False, description="E-mail en documenten: de risico's en de exit zijn getest"
    )
    minister_consent_on: IsoDate | None = Field(
        None, description="E-mail en documenten: datum van de toestemming van de minister"
    )


class ReturnIn(BaseModel):
    """Een concept of voorstel terugsturen naar de bewerkers, met de reden."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        max_length=2_000, description="Waarom, en wat er moet gebeuren; de bewerker ziet dit"
    )


class ReturnedOut(BaseModel):
    """Teruggestuurd door een accordeerder."""

    reason: str
    by: str = Field(description="De gebruiker die terugstuurde")
    on: dt.date


class AcceptanceIn(BaseModel):
    """Acceptatie namens de verantwoordelijke bewindspersoon of bestuurder."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="Naam van wie accepteert")
    role: str = Field(max_length=200, description="Functie, zoals secretaris-generaal")
    accepted_on: IsoDate | None = Field(
        None, description="Datum van acceptatie (standaard vandaag); ook de meldingsdatum"
    )


class JustificationOut(BaseModel):
    id: int
    registration: str
    organisation: str
    rule: str
    state: JustificationState
    reason: str
    continuity_risk_established: bool
    risk_and_exit_tested: bool
    minister_consent_on: dt.date | None
    accepted_by_name: str | None
    accepted_by_role: str | None
    accepted_on: dt.date | None
    accepted_by_user: str | None
    reported_on: dt.date | None = Field(description="Gemeld bij CIO Rijk als afwijking op")
    created_by: str = Field(description="Wie de afwijking voorstelde")
    returned: ReturnedOut | None = Field(description="Teruggestuurd: waarom, door wie, wanneer")
    provenance: str | None = Field(
        description="Bewijs uit een import: wie het invoerde, wanneer, uit welk bestand"
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class JustificationList(BaseModel):
    items: list[JustificationOut]


class DeviationOut(BaseModel):
    """Een geaccepteerde afwijking, zoals CIO Rijk die ziet."""

    registration: str
    registration_name: str | None
    organisation: str
    rule: str
    reason: str
    accepted_by: str | None
    accepted_by_role: str | None
    accepted_on: dt.date | None
    reported_on: dt.date | None
    minister_consent_on: dt.date | None
    justification_id: int | None = Field(description="null: vastgelegd met de registratie zelf")
    recorded_with: Literal["workflow", "registration"]


class DeviationList(BaseModel):
    items: list[DeviationOut]
    total: int


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000, description="De tekst van het bericht")


class MessageOut(BaseModel):
    id: int
    at: dt.datetime
    author: str
    side: Literal["organisation", "cio-rijk"]
    kind: Literal["comment", "question", "answer"]
    text: str


class NotificationSummaryOut(BaseModel):
    id: int
    registration: str
    registration_name: str | None
    organisation: str
    state: NotificationState
    renotification_needed: bool
    source_instance: str | None = Field(
        description="De installatie waarvan de melding is geïmporteerd; null: deze"
    )
    submitted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class NotificationList(BaseModel):
    items: list[NotificationSummaryOut]
    total: int


class NotificationOut(BaseModel):
    """Een melding aan CIO Rijk met momentopname, berichten en de stappen die u nu kunt zetten."""

    id: int
    registration: str
    organisation: str
    state: NotificationState
    snapshot: dict[str, Any] | None = Field(
        description="Registratie, oordeel, risicoafweging en exitplan bij het indienen"
    )
    snapshot_hash: str | None = Field(description="SHA-256 over de canonieke JSON van snapshot")
    renotification_needed: bool
    renotification_reason: str
    source_instance: str | None
    created_by: str
    submitted_by: str | None
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    messages: list[MessageOut]
    allowed_steps: list[StepName] = Field(description="Wat u met uw rol nu kunt doen")


class SignatureOut(BaseModel):
    algorithm: Literal["Ed25519"]
    public_key: str = Field(description="De publieke sleutel van de afzender (base64)")
    key_id: str
    value: str = Field(description="De handtekening over de canonieke JSON van content (base64)")


class PackageOut(BaseModel):
    """Een ondertekend meldingspakket (docs/workflows.md)."""

    format: Literal["cloudtoets-melding"]
    format_version: int
    content: dict[str, Any]
    content_hash: str = Field(description="SHA-256 over de canonieke JSON van content")
    signature: SignatureOut
