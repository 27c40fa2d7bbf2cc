"""Generate realistic synthetic cloud registers for benchmarks, deterministic by seed.

    python benchmarks/generate.py --registrations 100000 --seed 1 \
        --output benchmarks/data/register-100k.json

The output is an inventory document as in ../shared/spec/interface.md (`.json`, `.yaml` or `.yml`,
chosen by extension). `generate(n, seed)` returns the same document as a dict of plain JSON values
(dates as ISO strings) for use from other scripts.

What "realistic" means here:

- organisations of every type, mostly ministries, agencies and zbo's, a few municipalities and
  defence units; a handful flagged critical/essential entity or vital provider; large
  organisations hold many more registrations than small ones (Zipf-like);
- providers drawn from the built-in catalogue with a skew (Microsoft, AWS and Google dominate;
  European and Dutch providers follow), document-defined suppliers (many owned by a catalogue
  parent such as KKR, HG or Microsoft), some `private-internal` use without a provider, and
  sub-processors on about 15% of registrations;
- storage mostly in NL/IE/DE, with some US/GB/CH, and remote support from US/IN/GB on a share;
  encryption mostly on, a personal data mix, classification/TBB on a minority, key registers rare;
- `in_use_since` spread over 2015-2027, about 60% before the adoption date 2026-07-03; contracts
  and lifecycle moments on some; risk assessments, exit plans, notifications and justifications
  filled in for a share of the material registrations, so that every verdict occurs.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from cloudtoets.domain.knowledge import (
    LEGACY_DEFAULTS,
    LEGACY_ORGANISATION_DEFAULTS,
    REGISTRATION_FACTS,
    fill_legacy_defaults,
)

ADOPTED = dt.date(2026, 7, 3)
AS_OF = dt.date(2026, 11, 29)  # the as-of date the benchmarks check against

Record = dict[str, Any]


class Picker:
    """Weighted choice with precomputed cumulative weights (faster than random.choices)."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, weighted: dict[Any, float] | Sequence[tuple[Any, float]]) -> None:
        pairs = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
        self._items = [item for item, _ in pairs]
        self._cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    @property
    def items(self) -> list[Any]:
        return list(self._items)

    def __call__(self, rng: random.Random) -> Any:
        return self._items[bisect.bisect_right(self._cumulative, rng.random() * self._total)]

    def distinct(self, rng: random.Random, k: int) -> list[Any]:
        """Up to k different items, in the order drawn."""
        chosen: list[Any] = []
        for _ in range(k * 3):
            item = self(rng)
            if item not in chosen:
                chosen.append(item)
                if len(chosen) == k:
                    break
        return chosen


# ------------------------------------------------------------------------------- organisations

# Built-in organisations (catalogue/organisations.yaml) listed in the document with the flags an
# inventory states; (id, name, type, critical, essential, vital).
BUILTIN_ORGANISATIONS: tuple[tuple[str, str, str, bool, bool, bool], ...] = (
    ("az", "Ministerie van Algemene Zaken", "ministry", False, False, False),
    ("bz", "Ministerie van Buitenlandse Zaken", "ministry", False, True, False),
    (
        "bzk",
        "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
        "ministry",
        False,
        True,
        False,
    ),
    ("def", "Ministerie van Defensie", "defence", True, True, False),
    ("ez", "Ministerie van Economische Zaken", "ministry", False, False, False),
    ("fin", "Ministerie van Financiën", "ministry", False, True, False),
    ("ienw", "Ministerie van Infrastructuur en Waterstaat", "ministry", False, False, False),
    ("jenv", "Ministerie van Justitie en Veiligheid", "ministry", False, True, False),
    ("ocw", "Ministerie van Onderwijs, Cultuur en Wetenschap", "ministry", False, False, False),
    ("szw", "Ministerie van Sociale Zaken en Werkgelegenheid", "ministry", False, False, False),
    ("vws", "Ministerie van Volksgezondheid, Welzijn en Sport", "ministry", False, False, False),
    ("belastingdienst", "Belastingdienst", "agency", True, True, False),
    ("rws", "Rijkswaterstaat", "agency", True, True, True),
    ("duo", "Dienst Uitvoering Onderwijs", "agency", False, False, False),
    ("rvo", "Rijksdienst voor Ondernemend Nederland", "agency", False, False, False),
    ("logius", "Logius", "agency", True, True, False),
    ("ssc-ict", "SSC-ICT", "agency", False, True, False),
    ("ind", "Immigratie- en Naturalisatiedienst", "agency", False, False, False),
    ("rvig", "Rijksdienst voor Identiteitsgegevens", "agency", True, True, False),
    ("uwv", "Uitvoeringsinstituut Werknemersverzekeringen", "zbo", True, True, False),
    ("svb", "Sociale Verzekeringsbank", "zbo", True, True, False),
    ("rdw", "RDW", "zbo", True, False, False),
    ("kadaster", "Kadaster", "zbo", True, True, False),
    ("cbs", "Centraal Bureau voor de Statistiek", "zbo", False, False, False),
    ("kvk", "Kamer van Koophandel", "zbo", False, True, False),
    ("rekenkamer", "Algemene Rekenkamer", "high-council", False, False, False),
    ("raad-van-state", "Raad van State", "high-council", False, False, False),
)

ORGANISATION_TYPES = Picker(
    {
        "ministry": 6,
        "agency": 40,
        "zbo": 40,
        "defence": 2,
        "high-council": 0.7,
        "municipality": 5,
        "province": 1,
        "water-board": 1.5,
        "other": 1.5,
    }
)
# Organisations outside the Rijksoverheid that keep a register here are mostly small ones.
SIZE_FACTOR = {"municipality": 0.5, "province": 0.5, "water-board": 0.5, "other": 0.5}

ORGANISATION_NAMES = {
    "ministry": "Ministerie (directoraat-generaal) {k}",
    "agency": "Uitvoeringsdienst {k}",
    "zbo": "Zelfstandig bestuursorgaan {k}",
    "defence": "Defensieonderdeel {k}",
    "high-council": "Hoog College van Staat {k}",
    "municipality": "Gemeente {k}",
    "province": "Provincie {k}",
    "water-board": "Waterschap {k}",
    "other": "Overheidsorganisatie {k}",
}


def _organisations(rng: random.Random, n: int) -> list[Record]:
    count = max(40, min(2000, n // 250))
    organisations: list[Record] = []
    for org_id, name, kind, critical, essential, vital in BUILTIN_ORGANISATIONS:
        record: Record = {"id": org_id, "name": name, "type": kind}
        if critical:
            record["critical_entity"] = True
        if essential:
            record["essential_entity"] = True
        if vital:
            record["vital_provider"] = True
        organisations.append(record)
    for k in range(1, count - len(BUILTIN_ORGANISATIONS) + 1):
        kind = ORGANISATION_TYPES(rng)
        record = {
            "id": f"{kind}-{k:04d}",
            "name": ORGANISATION_NAMES[kind].format(k=k),
            "type": kind,
        }
        if rng.random() < 0.04:
            record["critical_entity"] = True
        if rng.random() < 0.07:
            record["essential_entity"] = True
        if rng.random() < 0.015:
            record["vital_provider"] = True
        organisations.append(record)
    return organisations


# ----------------------------------------------------------------------------------- providers

# A provider profile says what use of that provider typically looks like.
PROFILES: dict[str, dict[str, Any]] = {
    "hyperscaler": {
        "deployment": Picker({"public": 74, "hybrid": 20, "community": 3, "private-external": 3}),
        "service_model": Picker({"saas": 45, "paas": 30, "iaas": 25}),
        "storage": Picker(
            {"NL": 34, "IE": 34, "DE": 16, "FR": 4, "SE": 3, "US": 6, "GB": 2, "CH": 1}
        ),
        "support_share": 0.22,
        "subprocessor_share": 0.08,
        "functions": Picker(
            {
                "collaboration": 22,
                "email": 16,
                "document-management": 16,
                "hosting": 18,
                "analytics": 10,
                "ai": 8,
                "case-management": 4,
                "other": 6,
            }
        ),
    },
    "saas-global": {
        "deployment": Picker({"public": 90, "hybrid": 4, "community": 6}),
        "service_model": Picker({"saas": 100}),
        "storage": Picker({"IE": 34, "NL": 24, "DE": 20, "US": 15, "GB": 4, "CH": 3}),
        "support_share": 0.35,
        "subprocessor_share": 0.30,
        "functions": Picker(
            {
                "collaboration": 25,
                "case-management": 20,
                "document-management": 10,
                "analytics": 12,
                "ai": 8,
                "other": 25,
            }
        ),
    },
    "cdn": {
        "deployment": Picker({"public": 100}),
        "service_model": Picker({"paas": 100}),
        "storage": Picker({"NL": 30, "DE": 20, "IE": 15, "US": 30, "GB": 5}),
        "support_share": 0.5,
        "subprocessor_share": 0.0,
        "functions": Picker({"hosting": 90, "other": 10}),
    },
    "cloud-eu": {
        "deployment": Picker({"public": 58, "hybrid": 10, "community": 10, "private-external": 22}),
        "service_model": Picker({"iaas": 50, "paas": 40, "saas": 10}),
        "storage": Picker({"DE": 40, "FR": 22, "NL": 26, "FI": 5, "CH": 5, "AT": 2}),
        "support_share": 0.04,
        "subprocessor_share": 0.05,
        "functions": Picker({"hosting": 60, "analytics": 15, "ai": 10, "other": 15}),
    },
    "sovereign": {
        "deployment": Picker({"public": 50, "community": 30, "private-external": 20}),
        "service_model": Picker({"saas": 50, "paas": 30, "iaas": 20}),
        "storage": Picker({"FR": 50, "DE": 50}),
        "support_share": 0.03,
        "subprocessor_share": 0.02,
        "functions": Picker(
            {"collaboration": 30, "email": 20, "document-management": 20, "hosting": 30}
        ),
    },
    "saas-eu": {
        "deployment": Picker({"public": 70, "community": 15, "private-external": 15}),
        "service_model": Picker({"saas": 90, "paas": 10}),
        "storage": Picker({"DE": 50, "NL": 20, "CH": 12, "NO": 8, "IE": 10}),
        "support_share": 0.10,
        "subprocessor_share": 0.20,
        "functions": Picker(
            {
                "case-management": 25,
                "document-management": 15,
                "email": 10,
                "collaboration": 20,
                "analytics": 15,
                "other": 15,
            }
        ),
    },
    "nl": {
        "deployment": Picker({"public": 35, "hybrid": 10, "community": 20, "private-external": 35}),
        "service_model": Picker({"saas": 60, "paas": 15, "iaas": 25}),
        "storage": Picker({"NL": 86, "DE": 8, "BE": 6}),
        "support_share": 0.04,
        "subprocessor_share": 0.32,
        "functions": Picker(
            {
                "case-management": 30,
                "document-management": 15,
                "hosting": 25,
                "collaboration": 5,
                "analytics": 10,
                "other": 15,
            }
        ),
    },
}

# Catalogue providers that registrations name (contracting entities, not holding companies),
# with their share of registrations and their profile. Checked against the catalogue at runtime.
CATALOGUE_USE: tuple[tuple[str, float, str], ...] = (
    ("microsoft-ireland", 240, "hyperscaler"),
    ("aws-emea", 110, "hyperscaler"),
    ("google-cloud-emea", 70, "hyperscaler"),
    ("github", 12, "saas-global"),
    ("oracle-nl", 16, "hyperscaler"),
    ("ibm-nl", 8, "hyperscaler"),
    ("alibaba-cloud-nl", 0.5, "hyperscaler"),
    ("huawei-cloud", 0.5, "hyperscaler"),
    ("salesforce", 14, "saas-global"),
    ("slack", 4, "saas-global"),
    ("servicenow-nl", 14, "saas-global"),
    ("atlassian-pty", 12, "saas-global"),
    ("zoom", 8, "saas-global"),
    ("workday-ireland", 5, "saas-global"),
    ("adobe-ireland", 10, "saas-global"),
    ("dropbox-ireland", 3, "saas-global"),
    ("cisco-nl", 8, "saas-global"),
    ("cloudflare", 8, "cdn"),
    ("akamai", 5, "cdn"),
    ("aws-european-sovereign-cloud", 4, "cloud-eu"),
    ("ovhcloud", 10, "cloud-eu"),
    ("scaleway", 6, "cloud-eu"),
    ("hetzner", 6, "cloud-eu"),
    ("ionos", 6, "cloud-eu"),
    ("stackit", 6, "cloud-eu"),
    ("upcloud", 2, "cloud-eu"),
    ("t-systems", 6, "cloud-eu"),
    ("exoscale", 2, "cloud-eu"),
    ("bleu", 3, "sovereign"),
    ("s3ns", 2, "sovereign"),
    ("delos-cloud", 2, "sovereign"),
    ("sap", 20, "saas-eu"),
    ("proton", 3, "saas-eu"),
    ("nextcloud", 8, "saas-eu"),
    ("visma", 8, "saas-eu"),
    ("kpn", 16, "nl"),
    ("schuberg-philis", 10, "nl"),
    ("centric", 16, "nl"),
    ("topdesk", 18, "nl"),
    ("solvinity", 12, "nl"),
    ("afas", 12, "nl"),
    ("exact", 8, "nl"),
    ("leaseweb", 6, "nl"),
    ("interxion-nl", 3, "nl"),
    ("mendix", 8, "nl"),
    ("zivver", 12, "nl"),
)

SERVICE_NAMES = {
    "microsoft-ireland": ("Microsoft 365", "Azure", "Dynamics 365", "Power BI"),
    "aws-emea": ("Amazon Web Services", "Amazon S3", "Amazon EKS"),
    "google-cloud-emea": ("Google Cloud Platform", "Google Workspace", "BigQuery"),
}

# Sub-processors a supplier typically hosts on or uses for support.
SUBPROCESSORS = Picker(
    {
        "microsoft-ireland": 35,
        "aws-emea": 30,
        "google-cloud-emea": 12,
        "leaseweb": 5,
        "interxion-nl": 5,
        "solvinity": 4,
        "cloudflare": 5,
        "akamai": 2,
        "ovhcloud": 2,
    }
)

# Catalogue parents of document-defined suppliers (private equity, software groups, hyperscalers).
DOCUMENT_PARENTS = Picker(
    {
        "kkr": 12,
        "hg": 10,
        "visma": 10,
        "centric": 6,
        "imker-capital": 4,
        "microsoft": 6,
        "alphabet": 2,
        "cisco": 2,
        "siemens": 4,
        "deutsche-telekom": 3,
        "leaseweb-global": 3,
        "united-internet": 3,
        "ovh-groupe": 2,
        "schwarz-gruppe": 2,
        "kiteworks": 2,
    }
)
DOCUMENT_COUNTRIES = Picker({"NL": 72, "BE": 8, "DE": 8, "GB": 5, "US": 4, "CH": 2, "FR": 1})
SUPPLIER_WORDS = (
    "datavorm", "regelwerk", "zaakwijs", "archiefnet", "burgerlink", "polderdata", "dijkstra-it",
    "omnibus", "kwartiermaker", "stadsbeheer", "vergunningplein", "rekenhuis", "meldkamer",
    "inspectiepunt", "toezichtnet", "subsidiewerk", "netwerkpunt", "kennisbank", "planbureau-it",
    "geodesk",
)  # fmt: skip


def _catalogue_services() -> dict[str, tuple[str, ...]]:
    """Service names per catalogue provider id (empty for holding companies)."""
    from cloudtoets.catalogue import catalogue_entries

    return {entry.id: tuple(entry.services) for entry in catalogue_entries()}


def _document_providers(rng: random.Random, n: int) -> list[Record]:
    count = max(12, min(400, n // 400))
    providers: list[Record] = []
    for k in range(1, count + 1):
        word = SUPPLIER_WORDS[(k - 1) % len(SUPPLIER_WORDS)]
        record: Record = {"id": f"{word}-{k:03d}", "name": f"{word.capitalize()} {k} B.V."}
        roll = rng.random()
        if roll < 0.55:
            parent = DOCUMENT_PARENTS(rng)
            # A Dutch subsidiary of a foreign group, or a foreign entity of that group.
            record["country"] = "NL" if rng.random() < 0.8 else DOCUMENT_COUNTRIES(rng)
            record["parent"] = parent
        elif roll < 0.65 and providers:
            # A label of another document supplier (chains inside the document).
            record["country"] = "NL"
            record["parent"] = providers[rng.randrange(len(providers))]["id"]
        else:
            record["country"] = DOCUMENT_COUNTRIES(rng)
        providers.append(record)
    return providers


# ------------------------------------------------------------------------------- registrations

SUPPORT_COUNTRIES = Picker({"US": 60, "IN": 25, "GB": 15})
FUNCTION_COUNT = Picker({0: 8, 1: 62, 2: 25, 3: 5})
CLASSIFICATIONS = Picker(
    {
        None: 890,
        "dep-vertrouwelijk": 80,
        "stg-confidentieel": 22,
        "stg-geheim": 7,
        "stg-zeer-geheim": 1,
    }
)
TBB_LEVELS = Picker({None: 920, 4: 45, 3: 22, 2: 10, 1: 3})
PERSONAL_DATA = Picker({"none": 35, "regular": 52, "special": 13})
KEY_CUSTODY = Picker({"provider": 68, "customer-managed": 26, "customer-held": 6})
PETS = Picker(
    {
        "pseudonymisation": 40,
        "data-masking": 15,
        "tokenisation": 10,
        "customer-held-keys": 12,
        "confidential-computing": 8,
        "anonymisation": 8,
        "differential-privacy": 3,
        "synthetic-data": 4,
    }
)
KEY_REGISTERS = Picker(
    {"BRP": 20, "HR": 10, "BAG": 15, "BRK": 10, "BRT": 5, "BGT": 10, "BRO": 5, "BRV": 8, "BRI": 7,
     "WOZ": 8, "BLAU": 2}
)  # fmt: skip
ACCEPTORS = ("SG", "pSG", "DG Uitvoering", "CIO", "directeur-generaal", "bestuursvoorzitter")
REASONS = (
    "Geen gelijkwaardig alternatief beschikbaar binnen de transitieperiode.",
    "Migratie gepland bij het einde van het huidige contract; risico's zijn aanvaard.",
    "Rijksbrede voorziening; afwijking afgestemd met CIO Rijk.",
    "Tijdelijk gebruik tijdens aanbesteding van een Europese dienst.",
)
ADVISED_RULES = ("cb2026.4.5.email", "cb2026.4.5.documents", "cb2026.4.6.special-data")
NON_EEA_PROFILES = frozenset({"hyperscaler", "saas-global", "cdn"})

_DAY_2015 = dt.date(2015, 1, 1).toordinal()
_DAY_ADOPTED = ADOPTED.toordinal()
_DAY_END_2027 = dt.date(2027, 12, 31).toordinal()
_DAY_AS_OF = AS_OF.toordinal()


def _day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def _in_use_since(rng: random.Random) -> int | None:
    roll = rng.random()
    if roll < 0.015:
        return None
    if roll < 0.61:
        return rng.randint(_DAY_2015, _DAY_ADOPTED - 1)
    return rng.randint(_DAY_ADOPTED, _DAY_END_2027)


def _countries(rng: random.Random, profile: dict[str, Any]) -> tuple[list[str], list[str]]:
    storage: Picker = profile["storage"]
    stored = storage.distinct(rng, 1 if rng.random() < 0.7 else 2)
    processing = list(stored)
    if rng.random() < profile["support_share"]:
        support = SUPPORT_COUNTRIES(rng)
        if support not in processing:
            processing.append(support)
    return stored, processing


def _risk_assessment(rng: random.Random) -> Record:
    record: Record = {"date": _day(rng.randint(dt.date(2023, 1, 1).toordinal(), _DAY_AS_OF - 5))}
    if rng.random() < 0.8:
        record["covers_lock_in"] = True
    if rng.random() < 0.7:
        record["covers_jurisdiction"] = True
    if rng.random() < 0.75:
        record["accepted_by"] = ACCEPTORS[rng.randrange(len(ACCEPTORS))]
        if rng.random() < 0.95:
            record["accepted_on"] = _day(rng.randint(dt.date(2023, 6, 1).toordinal(), _DAY_AS_OF))
    return record


def _scenario(rng: random.Random, short: bool) -> Record:
    scenario: Record = {}
    if rng.random() < 0.9:
        scenario["lead_time_days"] = rng.randint(2, 30) if short else rng.randint(60, 540)
    if rng.random() < 0.9:
        scenario["preconditions"] = rng.sample(
            ["data-export", "alternatieve leverancier", "budget", "kennis", "contract"],
            rng.randint(1, 3),
        )
    return scenario


def _exit_plan(rng: random.Random) -> Record:
    plan: Record = {}
    if rng.random() < 0.85:
        plan["planned"] = _scenario(rng, short=False)
    if rng.random() < 0.7:
        plan["emergency"] = _scenario(rng, short=True)
    if rng.random() < 0.8:
        plan["data_return"] = True
    if rng.random() < 0.75:
        plan["data_destruction"] = True
    roll = rng.random()
    if roll < 0.5:
        plan["last_tested"] = _day(rng.randint(_DAY_AS_OF - 360, _DAY_AS_OF - 1))
    elif roll < 0.75:
        plan["last_tested"] = _day(rng.randint(dt.date(2021, 1, 1).toordinal(), _DAY_AS_OF - 370))
    if rng.random() < 0.6:
        plan["last_reviewed"] = _day(rng.randint(_DAY_AS_OF - 500, _DAY_AS_OF - 1))
    return plan


def _justification(rng: random.Random, rule: str) -> Record:
    record: Record = {"rule": rule, "reason": REASONS[rng.randrange(len(REASONS))]}
    if rng.random() < 0.92:
        record["accepted_by"] = ACCEPTORS[rng.randrange(len(ACCEPTORS))]
    if rng.random() < 0.9:
        record["accepted_on"] = _day(rng.randint(dt.date(2025, 1, 1).toordinal(), _DAY_AS_OF))
    if rng.random() < 0.6:
        record["reported_on"] = _day(rng.randint(dt.date(2025, 6, 1).toordinal(), _DAY_AS_OF))
    if rule in ("cb2026.4.5.email", "cb2026.4.5.documents"):
        if rng.random() < 0.7:
            record["continuity_risk_established"] = True
        if rng.random() < 0.65:
            record["risk_and_exit_tested"] = True
        if rng.random() < 0.6:
            record["minister_consent_on"] = _day(
                rng.randint(dt.date(2025, 1, 1).toordinal(), _DAY_AS_OF)
            )
    return record


def generate(n: int, seed: int = 1, unknown_share: float = 0.0) -> dict[str, list[Record]]:
    """An inventory document with n registrations; the same (n, seed) gives the same document.

    Every fact is stated (unknowns.md): what the draws leave out is written as the explicit
    "no" or "none". With ``unknown_share`` each fact of each registration is then left out
    (unknown) with that chance, drawn from a generator of its own, so the known facts are the
    same as in the register without unknowns.
    """
    rng = random.Random(seed)
    catalogue = _catalogue_services()
    known = set(catalogue)
    needed = {pid for pid, _, _ in CATALOGUE_USE} | set(DOCUMENT_PARENTS.items)
    missing = sorted((needed | set(SUBPROCESSORS.items)) - known)
    if missing:
        raise SystemExit(f"not in the built-in provider catalogue: {', '.join(missing)}")

    organisations = _organisations(rng, n)
    document_providers = _document_providers(rng, n)

    # Large organisations hold far more registrations than small ones.
    order = list(range(len(organisations)))
    rng.shuffle(order)
    org_picker = Picker(
        [
            (organisations[i], SIZE_FACTOR.get(organisations[i]["type"], 1.0) / (rank + 1) ** 0.7)
            for rank, i in enumerate(order)
        ]
    )
    flagged = {
        o["id"]
        for o in organisations
        if o.get("critical_entity") or o.get("essential_entity") or o.get("vital_provider")
    }

    # (provider id or None, profile); None is private-internal without provider.
    choices: list[tuple[tuple[str | None, str], float]] = [
        ((pid, profile), weight) for pid, weight, profile in CATALOGUE_USE
    ]
    doc_weight = 110 / len(document_providers)
    choices += [((p["id"], "nl"), doc_weight) for p in document_providers]
    choices.append(((None, "internal"), 55))
    provider_picker = Picker(choices)
    internal_with_provider = Picker([(p, 1.0) for p in ("kpn", "centric", "solvinity", "topdesk")])
    internal_functions: Picker = PROFILES["nl"]["functions"]

    registrations: list[Record] = []
    random_ = rng.random
    for i in range(1, n + 1):
        org = org_picker(rng)
        org_id = org["id"]
        provider, profile_name = provider_picker(rng)
        reg: Record = {"id": f"reg-{i:07d}", "organisation": org_id}

        if profile_name == "internal":
            profile = PROFILES["nl"]
            deployment = "private-internal"
            functions_picker = internal_functions
            if random_() < 0.2:
                provider = internal_with_provider(rng)
        else:
            profile = PROFILES[profile_name]
            deployment = profile["deployment"](rng)
            functions_picker = profile["functions"]

        services = SERVICE_NAMES.get(provider or "") or catalogue.get(provider or "")
        if services:
            service = services[rng.randrange(len(services))]
        else:
            service = f"{(provider or 'eigen beheer').split('-')[0].capitalize()} dienst"
        reg["name"] = f"{service} ({org_id})"
        if provider is not None:
            reg["provider"] = provider
            if random_() < profile["subprocessor_share"]:
                subs = SUBPROCESSORS.distinct(rng, 1 if random_() < 0.8 else 2)
                reg["subprocessors"] = [s for s in subs if s != provider] or ["cloudflare"]
            model = profile["service_model"](rng)
            reg["service_model"] = model
        reg["deployment"] = deployment
        functions = functions_picker.distinct(rng, FUNCTION_COUNT(rng))
        if functions:
            reg["functions"] = functions
        if deployment == "private-internal":
            stored, processing = ["NL"], ["NL"]
        else:
            stored, processing = _countries(rng, profile)
        reg["storage_countries"] = stored
        reg["processing_countries"] = processing

        if random_() < 0.93:
            reg["encrypted_at_rest"] = True
        if random_() < 0.97:
            reg["encrypted_in_transit"] = True
        custody = KEY_CUSTODY(rng)
        if custody != "provider" or random_() < 0.5:
            reg["key_custody"] = custody
        if random_() < 0.05:
            reg["open_data"] = True

        classification = CLASSIFICATIONS(rng)
        if classification is not None:
            reg["classification"] = classification
        tbb = TBB_LEVELS(rng)
        if tbb is not None:
            reg["tbb_level"] = tbb
        if ((classification or tbb) and random_() < 0.55) or random_() < 0.02:
            reg["abro_declaration"] = True

        personal = PERSONAL_DATA(rng)
        reg["personal_data"] = personal
        if personal != "none" and random_() < 0.12:
            reg["large_scale_personal_data"] = True
        if (personal == "special" and random_() < 0.6) or random_() < 0.04:
            reg["pets"] = PETS.distinct(rng, 1 if random_() < 0.7 else 2)

        core = random_() < 0.35
        critical = random_() < 0.22
        if core:
            reg["core_task"] = True
        if critical:
            reg["business_critical"] = True
        roll = random_()
        if roll < 0.03:
            reg["material"] = True
        elif roll < 0.06:
            reg["material"] = False
        material = reg.get("material")
        if material is None:
            material = core or critical or bool(reg.get("large_scale_personal_data"))

        if random_() < 0.015:
            reg["key_register"] = KEY_REGISTERS(rng)
            if random_() < 0.4:
                reg["holds_source_data"] = True

        since = _in_use_since(rng)
        if since is not None:
            reg["in_use_since"] = _day(since)
            if random_() < 0.4:
                start = since - rng.randint(0, 120)
                reg["contract_start"] = _day(start)
                reg["contract_end"] = _day(start + rng.randint(2 * 365, 8 * 365))
            if since < _DAY_ADOPTED and random_() < 0.08:
                reg["lifecycle_moment"] = _day(
                    rng.randint(dt.date(2029, 1, 1).toordinal(), dt.date(2034, 12, 31).toordinal())
                )
                roll = random_()
                if roll < 0.7:
                    reg["lifecycle_justification"] = "Vervanging gepland bij einde levensduur."
                elif roll < 0.8:
                    reg["lifecycle_justification"] = "   "  # white space only: counts as empty

        if random_() < (0.55 if material else 0.06):
            reg["risk_assessment"] = _risk_assessment(rng)
        if random_() < (0.45 if material else 0.04):
            reg["exit_plan"] = _exit_plan(rng)
        if random_() < (0.5 if material else 0.03):
            reg["notification"] = {
                "submitted_on": _day(rng.randint(dt.date(2026, 7, 3).toordinal(), _DAY_AS_OF)),
                "to": "CIO Rijk",
            }

        if deployment in ("public", "hybrid"):
            candidates = []
            if "email" in functions:
                candidates.append(ADVISED_RULES[0])
            if "document-management" in functions:
                candidates.append(ADVISED_RULES[1])
            if personal == "special":
                candidates.append(ADVISED_RULES[2])
            if core and org_id in flagged and profile_name in NON_EEA_PROFILES:
                candidates.append("cb2026.4.3.jurisdiction")
            justifications = [_justification(rng, rule) for rule in candidates if random_() < 0.35]
            if justifications:
                reg["justifications"] = justifications
        registrations.append(reg)

    for record in organisations:
        record.update(fill_legacy_defaults(record, LEGACY_ORGANISATION_DEFAULTS))
    for index, reg in enumerate(registrations):
        explicit = fill_legacy_defaults(reg, LEGACY_DEFAULTS)
        # absent meant "new use": the adoption day says it
        explicit.setdefault("in_use_since", _day(_DAY_ADOPTED))
        registrations[index] = explicit
    if unknown_share > 0:
        forget = random.Random(seed + 1_000_003).random
        for reg in registrations:
            for key in REGISTRATION_FACTS:
                if key in reg and forget() < unknown_share:
                    del reg[key]
    return {
        "organisations": organisations,
        "providers": document_providers,
        "registrations": registrations,
    }


DATE_KEYS = frozenset(
    {
        "in_use_since",
        "contract_start",
        "contract_end",
        "lifecycle_moment",
        "date",
        "accepted_on",
        "last_tested",
        "last_reviewed",
        "submitted_on",
        "reported_on",
        "minister_consent_on",
    }
)


def _with_dates(value: Any) -> Any:
    """A copy with ISO date strings as dates, so that YAML writes them as plain dates."""
    if isinstance(value, dict):
        return {
            key: dt.date.fromisoformat(item) if key in DATE_KEYS else _with_dates(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_with_dates(item) for item in value]
    return value


def write(document: dict[str, list[Record]], path: Path) -> None:
    """Write a document as JSON (orjson) or YAML, chosen by the file extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    elif suffix in (".yaml", ".yml"):
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        with path.open("w", encoding="utf-8") as out:
            yaml.dump(
                _with_dates(document),
                out,
                Dumper=dumper,
                allow_unicode=True,
                sort_keys=False,
                default_flow_style=None,
                width=120,
            )
    else:
        raise SystemExit(f"unknown output format '{suffix}': use .json, .yaml or .yml")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", "-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--unknown-share", type=float, default=0.0, help="chance that a fact is left unknown"
    )
    parser.add_argument("--output", "-o", type=Path, required=True, help=".json, .yaml or .yml")
    args = parser.parse_args(argv)
    document = generate(args.registrations, args.seed, args.unknown_share)
    write(document, args.output)
    size = args.output.stat().st_size
    print(
        f"{args.output}: {len(document['registrations'])} registrations, "
        f"{len(document['organisations'])} organisations, "
        f"{len(document['providers'])} document providers, {size / 1e6:.1f} MB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
