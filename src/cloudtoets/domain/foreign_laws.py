"""Laws outside the EEA that can reach data through a provider's ownership chain (S3.1).

A provider is "deels onder een andere jurisdictie" when it or any parent or sub-processor sits
outside the EEA (policy.md, jurisdiction chain). What that means in practice depends on the laws
of those countries: a US parent can be ordered to hand over data its EU subsidiary holds, even
when the data never leaves the EEA. This table names such laws with a source per law, so the
risk assessment can say which ones apply. It is a starting point for the jurist, not legal
advice: a country outside the EEA without an entry is reported as "not listed", never as safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ForeignLaw:
    key: str
    country: str
    title: str
    citation: str
    summary: str  # Dutch, B1: what the law lets the authorities do
    source: str


LAWS: tuple[ForeignLaw, ...] = (
    ForeignLaw(
        "us-cloud-act",
        "US",
        "CLOUD Act",
        "18 U.S.C. 2713",
        "Amerikaanse opsporingsdiensten kunnen een Amerikaans bedrijf verplichten gegevens af "
        "te geven die het in bezit of beheer heeft, ook als die gegevens buiten de VS staan, "
        "bijvoorbeeld bij een dochterbedrijf in de EER.",
        "https://www.law.cornell.edu/uscode/text/18/2713",
    ),
    ForeignLaw(
        "us-fisa-702",
        "US",
        "FISA sectie 702",
        "50 U.S.C. 1881a",
        "Amerikaanse inlichtingendiensten kunnen aanbieders van elektronische communicatie- en "
        "clouddiensten verplichten mee te werken aan het verzamelen van gegevens van personen "
        "buiten de VS, zonder dat de betrokkenen dat horen.",
        "https://www.law.cornell.edu/uscode/text/50/1881a",
    ),
    ForeignLaw(
        "us-eo-12333",
        "US",
        "Executive Order 12333",
        "4 december 1981, later gewijzigd",
        "Regelt inlichtingenwerk van de VS buiten het eigen grondgebied, zoals het aftappen van "
        "verbindingen, zonder rechterlijke toets vooraf.",
        "https://www.archives.gov/federal-register/codification/executive-order/12333.html",
    ),
    ForeignLaw(
        "cn-national-intelligence-law",
        "CN",
        "Wet op de nationale inlichtingen, artikel 7",
        "Nationale inlichtingenwet van de Volksrepubliek China (2017), art. 7",
        "Elke Chinese organisatie en burger moet het inlichtingenwerk van de staat steunen en "
        "ermee samenwerken, en daarover zwijgen. Dat geldt ook voor gegevens die het bedrijf "
        "buiten China beheert.",
        "https://www.chinalawtranslate.com/en/national-intelligence-law-of-the-p-r-c-2017/",
    ),
    ForeignLaw(
        "gb-investigatory-powers-act",
        "GB",
        "Investigatory Powers Act 2016",
        "Investigatory Powers Act 2016 (c. 25)",
        "Britse diensten kunnen met een bevel (warrant) of een technische verplichting "
        "(technical capability notice) medewerking eisen van telecom- en cloudaanbieders, ook "
        "als die buiten het Verenigd Koninkrijk zijn gevestigd.",
        "https://www.legislation.gov.uk/ukpga/2016/25/contents",
    ),
)

LAWS_BY_COUNTRY: dict[str, tuple[ForeignLaw, ...]] = {}
for _law in LAWS:
    LAWS_BY_COUNTRY[_law.country] = (*LAWS_BY_COUNTRY.get(_law.country, ()), _law)

NO_LAW_IN_EEA = (
    "De hele keten ligt in de EER. cloudtoets kent geen wet van buiten de EER die via deze keten "
    "bij de gegevens kan komen."
)


@dataclass(frozen=True, slots=True)
class Exposure:
    """One law that can reach the data, or (``law`` None) a non-EEA country not in the table."""

    country: str
    via: tuple[str, ...]  # the entities of the chain in that country
    law: ForeignLaw | None

    def as_record(self) -> dict[str, object]:
        """What the risk assessment stores (``foreign_laws``): the law as it read when saved."""
        law = self.law
        return {
            "country": self.country,
            "via": list(self.via),
            "law": law.key if law else None,
            "title": law.title if law else "Geen wet in de lijst",
            "citation": law.citation if law else "",
            "summary": law.summary if law else unlisted_summary(self.country),
            "source_url": law.source if law else "",
        }


def unlisted_summary(country: str) -> str:
    return (
        f"Dit land ({country}) ligt buiten de EER, maar cloudtoets kent er geen wet van die "
        "toegang tot de gegevens geeft. Dat betekent niet dat er geen is: laat een jurist dit "
        "beoordelen."
    )


def exposures(chain: Iterable[tuple[str, str]], eea: frozenset[str]) -> list[Exposure]:
    """The laws that can reach data through these (entity name, country) pairs, per country in
    order of first appearance; empty when the whole chain lies in the EEA."""
    via: dict[str, list[str]] = {}
    for name, country in chain:
        country = country.upper()
        if country in eea:
            continue
        names = via.setdefault(country, [])
        if name not in names:
            names.append(name)
    found: list[Exposure] = []
    for country, names in via.items():
        laws = LAWS_BY_COUNTRY.get(country, ())
        if not laws:
            found.append(Exposure(country, tuple(names), None))
        found.extend(Exposure(country, tuple(names), law) for law in laws)
    return found


def jurisdiction_suggestion(found: list[Exposure], country_name: dict[str, str]) -> str:
    """A first text for the jurisdiction risk: facts only, since a kept suggestion is stored as
    the description (what the editor should do is ``jurisdiction_hint``, shown beside it).
    ``country_name`` gives each country as a sentence names it ("de Verenigde Staten")."""
    if not found:
        return NO_LAW_IN_EEA
    parts = []
    for country in dict.fromkeys(e.country for e in found):
        entities = next(e.via for e in found if e.country == country)
        parts.append(f"{country_name.get(country, country)} (via {', '.join(entities)})")
    laws = [f"{e.law.title} ({e.law.citation})" for e in found if e.law is not None]
    text = (
        f"De leverancier valt (deels) onder het recht van {'; '.join(parts)}. "
        "Daardoor kunnen buitenlandse overheden toegang tot de gegevens eisen, ook als die in de "
        "EER staan."
    )
    if laws:
        text += f" Wetten die dat mogelijk maken: {', '.join(laws)}."
    return text


def jurisdiction_hint(found: list[Exposure]) -> str:
    """What the editor does with the suggestion; shown beside the field, never stored."""
    hint = "Vul de tekst aan: hoe groot is dit risico, en welke maatregelen maken het kleiner?"
    if any(e.law is None for e in found):
        hint += " Voor een land zonder bekende wet moet een jurist de wetgeving beoordelen."
    return hint
