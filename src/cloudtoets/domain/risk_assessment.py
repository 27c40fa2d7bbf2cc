"""The integral risk assessment of one registration (S3.1): themes, risks, what acceptance needs.

Every assessment covers at least the themes in ``THEMES``; S3.1 asks extra attention for vendor
lock-in (``lock-in``) and foreign jurisdiction (``jurisdiction``), so an assessment can only be
accepted when both are described. Acceptance is on behalf of the responsible official (S3.3).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from cloudtoets.problems import Problem


@dataclass(frozen=True, slots=True)
class Theme:
    key: str
    label: str
    question: str  # what to describe, B1


THEMES: tuple[Theme, ...] = (
    Theme(
        "continuity",
        "Continuïteit",
        "Wat gebeurt er als de dienst uitvalt, of als de leverancier stopt of failliet gaat?",
    ),
    Theme(
        "lock-in",
        "Leveranciersafhankelijkheid",
        "Hoe moeilijk is overstappen naar een andere leverancier? Denk aan eigen formaten, "
        "koppelingen, kennis en de looptijd van het contract.",
    ),
    Theme(
        "jurisdiction",
        "Buitenlandse jurisdictie",
        "Kan een overheid buiten de EER via de leverancier of haar moederbedrijf bij de gegevens "
        "komen?",
    ),
    Theme(
        "information-security",
        "Informatiebeveiliging",
        "Hoe goed zijn de gegevens beschermd tegen inbraak, lekken en verlies?",
    ),
    Theme(
        "privacy",
        "Privacy",
        "Welke persoonsgegevens worden verwerkt, en met welke risico's voor de betrokkenen? "
        "Verwijs naar de DPIA en, als gegevens de EER verlaten, naar de DTIA.",
    ),
    Theme(
        "exit",
        "Uitvoerbaarheid van een exit",
        "Kunt u op tijd en zonder verlies van gegevens stoppen met deze dienst?",
    ),
)
OTHER_THEME = Theme("other", "Overig", "Een ander risico.")
THEME_LABELS = {t.key: t.label for t in (*THEMES, OTHER_THEME)}
REQUIRED_THEMES = ("lock-in", "jurisdiction")  # S3.1: "extra aandacht"

ThemeKey = Literal[
    "continuity", "lock-in", "jurisdiction", "information-security", "privacy", "exit", "other"
]
ResidualRisk = Literal["low", "medium", "high"]
RESIDUAL_LABELS = {"low": "laag", "medium": "midden", "high": "hoog"}
STATES = {
    "draft": "concept",
    "declared": "te bevestigen",
    "accepted": "geaccordeerd",
    "superseded": "vervangen",
}

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only a date or a JJJJ-MM-DD text: a bare number is not a date."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("schrijf de datum als JJJJ-MM-DD")


IsoDay = Annotated[dt.date, BeforeValidator(_iso_day)]
Score = Annotated[int, Field(ge=1, le=5, strict=True)]
ShortText = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=10_000)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RiskIn(_Input):
    """Eén risico: thema, beschrijving, kans en impact (1 tot 5), maatregelen en restrisico."""

    theme: ThemeKey
    description: LongText = ""
    likelihood: Score | None = Field(
        None, description="Kans, van 1 (zeer klein) tot 5 (zeer groot)"
    )
    impact: Score | None = Field(None, description="Impact, van 1 (zeer klein) tot 5 (zeer groot)")
    measures: LongText = Field("", description="Maatregelen die het risico kleiner maken")
    residual_risk: ResidualRisk | None = Field(None, description="Het risico na de maatregelen")


class RiskAssessmentIn(_Input):
    """Een integrale risicoafweging zoals de bewerker haar opslaat (een concept)."""

    assessed_on: IsoDay = Field(description="Datum van de analyse (JJJJ-MM-DD)")
    summary: LongText = Field("", description="Samenvatting en conclusie")
    dpia_reference: ShortText = Field("", description="Kenmerk of vindplaats van de DPIA")
    dtia_reference: ShortText = Field(
        "", description="Kenmerk of vindplaats van de DTIA (nodig als gegevens de EER verlaten)"
    )
    risks: list[RiskIn] = Field(default_factory=list, max_length=50)


class AcceptanceIn(_Input):
    """Accordering namens de verantwoordelijke bewindspersoon of bestuurder (S3.3)."""

    accepted_by_name: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="Naam van de verantwoordelijke"
    )
    accepted_by_role: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="Functie van de verantwoordelijke, zoals 'secretaris-generaal'"
    )
    accepted_on: IsoDay = Field(description="Datum van het besluit (JJJJ-MM-DD)")


def described(risks: Iterable[dict[str, Any]], theme: str) -> bool:
    """A theme counts as covered when a risk of that theme has a description (as the engine's
    projection reads it: services/workflow_projection.py)."""
    return any(r.get("theme") == theme and str(r.get("description", "")).strip() for r in risks)


def acceptance_problems(
    risks: list[dict[str, Any]], dtia_reference: str, leaves_eea: bool
) -> list[Problem]:
    """What an assessment lacks before it can be accepted; empty when it can be."""
    problems = []
    for theme in REQUIRED_THEMES:
        if not described(risks, theme):
            problems.append(
                Problem(
                    f"thema {THEME_LABELS[theme]}",
                    f"beschrijf het risico van {THEME_LABELS[theme].lower()} voordat de "
                    "integrale risicoafweging geaccordeerd kan worden "
                    "(Cloudbeleid 2026, sectie 3.1)",
                    None,
                    f"risks.{theme}.description",
                )
            )
    if leaves_eea and not dtia_reference.strip():
        problems.append(
            Problem(
                "DTIA",
                "gegevens gaan buiten de EER (opslag, verwerking of de jurisdictieketen); vul "
                "het kenmerk van de DTIA in voordat de integrale risicoafweging geaccordeerd "
                "kan worden",
                None,
                "dtia_reference",
            )
        )
    return problems


def score(risk: dict[str, Any]) -> int | None:
    """Likelihood times impact (1-25), when both are given."""
    likelihood, impact = risk.get("likelihood"), risk.get("impact")
    if isinstance(likelihood, int) and isinstance(impact, int):
        return likelihood * impact
    return None
