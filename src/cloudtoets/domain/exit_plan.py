"""The exit plan of one registration (S3.2): a planned exit and an emergency, data return and
destruction, tests and yearly review.

The engine counts a scenario when it has a lead time and at least one precondition, data return
and destruction when both are described, and a test only when it passed
(services/workflow_projection.py). The plan is reviewed again after the policy's
``exit_review_months`` (services/exit_plans.py), counted from the last review (or, before the
first, from the day it was made).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudtoets.domain.risk_assessment import IsoDay, LongText, ShortText

ExitTestResult = Literal["passed", "partial", "failed"]
TEST_RESULTS = {"passed": "geslaagd", "partial": "deels geslaagd", "failed": "mislukt"}
SCENARIOS = {
    "planned": "Geplande exit",
    "emergency": "Noodscenario: de dienst valt op korte termijn weg of ligt er al uit",
}

Items = Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=50)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ScenarioIn(_Input):
    """Eén scenario: wanneer, welke stappen, hoe lang, wat er nodig is, waarheen en wie."""

    trigger: LongText = Field("", description="Wanneer dit scenario begint")
    steps: LongText = Field("", description="De stappen, in volgorde")
    lead_time_days: Annotated[int, Field(ge=0, le=3650, strict=True)] | None = Field(
        None, description="Doorlooptijd in dagen"
    )
    preconditions: Items = Field(
        default_factory=list, description="Kritische randvoorwaarden, één per item"
    )
    alternatives: Items = Field(
        default_factory=list, description="Andere leveranciers of oplossingen"
    )
    responsible_role: ShortText = Field("", description="Wie de exit leidt (een rol)")


class ExitPlanIn(_Input):
    """Een exitplan zoals de bewerker het opslaat."""

    planned: ScenarioIn | None = None
    emergency: ScenarioIn | None = None
    data_return_format: ShortText = Field("", description="In welk formaat de gegevens terugkomen")
    data_volume_gb: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)] | None = Field(
        None, description="Hoeveel gegevens, in GB"
    )
    bandwidth_mbps: Annotated[float, Field(gt=0, le=1e7, allow_inf_nan=False)] | None = Field(
        None, description="Bandbreedte van de verbinding voor de exit, in Mbit/s"
    )
    integrations: Annotated[int, Field(ge=0, le=10_000, strict=True)] | None = Field(
        None, description="Aantal koppelingen met andere systemen"
    )
    data_destruction_method: LongText = Field(
        "", description="Hoe de leverancier de gegevens vernietigt"
    )
    data_destruction_evidence: LongText = Field(
        "", description="Welk bewijs van vernietiging u krijgt"
    )


class ExitTestIn(_Input):
    """Een test van het exitplan."""

    tested_on: IsoDay = Field(description="Datum van de test (JJJJ-MM-DD)")
    result: ExitTestResult = Field(description="passed, partial of failed")
    notes: LongText = Field("", description="Wat ging goed, wat niet")


class ExitReviewIn(_Input):
    """De jaarlijkse beoordeling van het exitplan."""

    reviewed_on: IsoDay = Field(description="Datum van de beoordeling (JJJJ-MM-DD)")
