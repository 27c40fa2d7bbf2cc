"""Dutch display texts for the codes of the inventory format, and date formatting.

The codes themselves (``public``, ``customer-held``, ...) stay what interface.md says; people see
these texts. Labels of the fields come from ``cloudtoets.domain.labels`` (the export headers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from jinja2 import pass_context
from jinja2.runtime import Context

from cloudtoets.domain.clock import AMSTERDAM, amsterdam_date

# country names live in domain/countries.py: the engine names countries too
from cloudtoets.domain.countries import COUNTRIES as COUNTRIES
from cloudtoets.domain.countries import country_name as country_name
from cloudtoets.domain.vocabulary import (
    CLASSIFICATION_NAMES,
    KEY_REGISTER_NAMES,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    Verdict,
)
from cloudtoets.engine.messages import dutch_date
from cloudtoets.policy.loader import load_policy

VERDICTS: Mapping[str, str] = {str(k): v for k, v in VERDICT_LABELS.items()}
SEVERITIES: Mapping[str, str] = {str(k): v for k, v in SEVERITY_LABELS.items()}
VERDICT_ORDER: tuple[str, ...] = tuple(v.value for v in Verdict)  # worst first, onvolledig last
UNKNOWN = "onbekend"

DEPLOYMENTS: Mapping[str, str] = {
    "public": "Publieke cloud",
    "hybrid": "Hybride cloud (publiek en privé samen)",
    "community": "Community cloud (gedeeld met andere overheden)",
    "private-external": "Private cloud bij een externe leverancier",
    "private-internal": "Private cloud in eigen beheer van de overheid",
}
DEPLOYMENTS_SHORT: Mapping[str, str] = {
    "public": "publiek",
    "hybrid": "hybride",
    "community": "community",
    "private-external": "privé, extern",
    "private-internal": "privé, eigen beheer",
}
SERVICE_MODELS: Mapping[str, str] = {
    "saas": "Software als dienst (SaaS)",
    "paas": "Platform als dienst (PaaS)",
    "iaas": "Infrastructuur als dienst (IaaS)",
}
FUNCTIONS: Mapping[str, str] = {
    "email": "E-mail",
    "document-management": "Documentbeheer",
    "collaboration": "Samenwerken",
    "case-management": "Zaakgericht werken",
    "hosting": "Hosting (servers en opslag)",
    "analytics": "Analyse van gegevens",
    "ai": "AI (kunstmatige intelligentie)",
    "other": "Iets anders",
}
KEY_CUSTODY: Mapping[str, str] = {
    "provider": "De leverancier beheert de sleutels",
    "customer-managed": "Wij beheren de sleutels, bij de leverancier",
    "customer-held": "Wij beheren de sleutels, buiten de leverancier",
}
PERSONAL_DATA: Mapping[str, str] = {
    "none": "Geen persoonsgegevens",
    "regular": "Gewone persoonsgegevens",
    "special": "Bijzondere persoonsgegevens",
}
CLASSIFICATIONS: Mapping[str, str] = {
    str(code): name for code, name in CLASSIFICATION_NAMES.items()
}
TBB_LEVELS: Mapping[str, str] = {
    "1": "1 (zwaarste bescherming)",
    "2": "2",
    "3": "3",
    "4": "4 (lichtste bescherming)",
}
PETS: Mapping[str, str] = {
    "pseudonymisation": "Pseudonimiseren",
    "anonymisation": "Anonimiseren",
    "tokenisation": "Tokeniseren",
    "data-masking": "Gegevens maskeren",
    "customer-held-keys": "Sleutels in eigen beheer",
    "confidential-computing": "Confidential computing",
    "homomorphic-encryption": "Homomorfe versleuteling",
    "secure-multiparty-computation": "Rekenen met meerdere partijen (MPC)",
    "differential-privacy": "Differentiële privacy",
    "synthetic-data": "Synthetische gegevens",
    "federated-learning": "Gefedereerd leren",
    "zero-knowledge-proofs": "Zero-knowledge-bewijzen",
    "private-set-intersection": "Private set intersection",
}
KEY_REGISTERS: Mapping[str, str] = {
    str(code): f"{code}: {name.removeprefix('de ').removeprefix('het ')}"
    for code, name in KEY_REGISTER_NAMES.items()
}
MATERIAL_CHOICES: Mapping[str, str] = {
    "afleiden": "Laat cloudtoets dit bepalen",
    "true": "Ja, materieel",
    "false": "Nee, niet materieel",
}
MATERIAL_REASONS: Mapping[str, str] = {
    "core_task": "ondersteunt een kerntaak",
    "business_critical": "bedrijfskritisch",
    "large_scale_personal_data": "grootschalige verwerking van persoonsgegevens",
    "declared": "zelf als materieel aangemerkt",
}
SCOPES: Mapping[str, str] = {
    "mandatory": "Het beleid is verplicht voor deze organisatie",
    "advisory": "Het beleid is een advies voor deze organisatie",
    "excluded": "Het beleid geldt niet voor deze organisatie",
}
ORGANISATION_TYPES: Mapping[str, str] = {
    "ministry": "ministerie",
    "agency": "agentschap of uitvoeringsorganisatie",
    "zbo": "zelfstandig bestuursorgaan",
    "defence": "Defensie",
    "high-council": "Hoog College van Staat",
    "municipality": "gemeente",
    "province": "provincie",
    "water-board": "waterschap",
    "other": "overig",
}
PROVIDER_KINDS: Mapping[str, str] = {
    "parent": "moederbedrijf",
    "cloud": "cloudplatform",
    "saas": "softwaredienst (SaaS)",
    "sovereign": "soevereine cloud",
    "colocation": "datacenter (colocatie)",
    "other": "overig",
}
# Material use without one of the documents the policy asks for (services/obligations.Document):
# the overview's heading and explanation of each gap.
DOCUMENT_GAPS: Mapping[str, tuple[str, str]] = {
    "risk-assessment": (
        "Zonder geaccepteerde risicoafweging",
        "Bij materieel gebruik hoort een integrale risicoafweging, geaccepteerd door de "
        "verantwoordelijke.",
    ),
    "exit-plan": (
        "Zonder volledig exitplan",
        "Bij materieel gebruik hoort een volledig exitplan: gepland en voor noodgevallen, elk "
        "met doorlooptijd en randvoorwaarden, en afspraken over het teruggeven en vernietigen "
        "van de gegevens.",
    ),
    "notification": (
        "Niet gemeld bij CIO Rijk",
        "Materieel gebruik moet worden gemeld bij CIO Rijk.",
    ),
}
AUDIT_ACTIONS: Mapping[str, str] = {
    "create": "Aangemaakt",
    "update": "Gewijzigd",
    "delete": "Verwijderd",
    "import": "Geïmporteerd",
}


def verdict_range(best: object, worst: object) -> str:
    """'onvolledig: tussen toegestaan en niet toegestaan'; one verdict when they are equal."""
    best_text = VERDICTS.get(str(best), str(best))
    if str(best) == str(worst):
        return best_text
    worst_text = VERDICTS.get(str(worst), str(worst))
    return f"{VERDICTS['incomplete']}: tussen {best_text} en {worst_text}"


def known(value: bool | None, yes: str = "Ja", no: str = "Nee") -> str:
    """Ja, Nee or Onbekend for a derived fact that may be unknown (None)."""
    if value is None:
        return UNKNOWN.capitalize()
    return yes if value else no


@pass_context
def outside_eea(context: Context, code: str | None) -> bool:
    """Outside the EEA of the policy in use: the page's ``eea`` (web/templating.py), else the
    built-in policy's."""
    eea = context.get("eea")
    if eea is None:
        eea = load_policy().parameters.eea
    return bool(code) and str(code).upper() not in eea


def as_date(value: object) -> dt.date | None:
    """A date from a date or an ISO text (audit records keep dates as text); else None."""
    if isinstance(value, dt.datetime):
        return amsterdam_date(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def dutch_day(value: object) -> str:
    """'3 juli 2026' for a date or ISO text; other text as it is; '' for nothing."""
    if value is None or value == "":
        return ""
    day = as_date(value)
    return dutch_date(day) if day is not None else str(value)


def dutch_moment(value: dt.datetime | None) -> str:
    """'3 juli 2026 om 14:05' in Dutch time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(AMSTERDAM)
    return f"{dutch_date(local.date())} om {local:%H:%M}"


def count_text(number: int, one: str, many: str) -> str:
    """'1 registratie', '3 registraties'."""
    return f"{number} {one if number == 1 else many}"


def percent(value: float | None) -> str:
    """0.8806 -> '88%'; nothing to divide -> '–'."""
    if value is None:
        return "–"
    return f"{round(value * 100)}%"


def count_share(count: int, total: int) -> str:
    """'59 (88%)'."""
    return f"{count} ({percent(count / total if total else None)})"


def byte_size(count: int) -> str:
    """A size as people read it: ``20 MB``, ``1.95 kB``, ``300 bytes``."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.3g} MB"
    if count >= 1024:
        return f"{count / 1024:.3g} kB"
    return f"{count} bytes"


def sentence(text: str) -> str:
    """A message fragment from the services as a sentence: capital first, full stop at the end."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
