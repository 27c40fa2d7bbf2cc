"""A register shaped like the Algemene Rekenkamer's count ("Het Rijk in de cloud", 2025).

The Rekenkamer counted 1,588 cloud services at the ministries: 700 public (126 of them material),
477 private or hybrid, and 411 whose deployment model nobody knew. This generator rebuilds a
register with those totals, deterministic by seed, and with the gaps a real register has: facts
that are not known are left out (unknowns.md), never filled with a guess. It is the register
the unknowns are tried on (tests, benchmarks, and ``docs/unknowns.md``).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Final

PUBLIC: Final = 700
PUBLIC_MATERIAL: Final = 126
PRIVATE: Final = 477
UNKNOWN_DEPLOYMENT: Final = 411
TOTAL: Final = PUBLIC + PRIVATE + UNKNOWN_DEPLOYMENT  # 1,588

# (id, name, critical entity, essential entity): the ministries; what is not known is left out
MINISTRIES: Final = (
    ("az", "Ministerie van Algemene Zaken", False, False),
    ("bzk", "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", False, True),
    ("bz", "Ministerie van Buitenlandse Zaken", False, True),
    ("ezk", "Ministerie van Economische Zaken", None, None),
    ("fin", "Ministerie van Financiën", True, True),
    ("ienw", "Ministerie van Infrastructuur en Waterstaat", True, True),
    ("jenv", "Ministerie van Justitie en Veiligheid", True, True),
    ("lvvn", "Ministerie van Landbouw, Visserij, Voedselzekerheid en Natuur", False, False),
    ("ocw", "Ministerie van Onderwijs, Cultuur en Wetenschap", False, False),
    ("szw", "Ministerie van Sociale Zaken en Werkgelegenheid", None, True),
    ("vws", "Ministerie van Volksgezondheid, Welzijn en Sport", False, True),
    ("kgg", "Ministerie van Klimaat en Groene Groei", False, False),
)
# public services: more than half from Amazon, Microsoft or Google, as the Rekenkamer found
PUBLIC_PROVIDERS: Final = (
    ("microsoft-ireland", 34),
    ("aws-emea", 12),
    ("google-cloud-emea", 8),
    ("github", 2),
    ("salesforce", 4),
    ("servicenow-nl", 4),
    ("atlassian-pty", 3),
    ("zoom", 3),
    ("adobe-ireland", 3),
    ("cloudflare", 2),
    ("sap", 4),
    ("ovhcloud", 2),
    ("proton", 1),
    ("topdesk", 4),
    ("visma", 2),
    ("centric", 4),
    ("kpn", 4),
)
PRIVATE_PROVIDERS: Final = (
    (None, 40),  # run by the ministry itself
    ("kpn", 12),
    ("centric", 10),
    ("solvinity", 10),
    ("schuberg-philis", 8),
    ("topdesk", 6),
    ("t-systems", 4),
    ("ionos", 3),
    ("microsoft-ireland", 4),
    ("aws-emea", 3),
)
FUNCTIONS: Final = ("email", "document-management", "collaboration", "case-management",
                    "hosting", "analytics", "ai", "other")  # fmt: skip
ADOPTED: Final = dt.date(2026, 7, 3)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _maybe(rng: random.Random, share_known: float, value: Any) -> Any:
    """The value when it is known (with chance ``share_known``), else None (left out)."""
    return value if rng.random() < share_known else None


def _registration(
    rng: random.Random, number: int, deployment: str | None, material: bool
) -> dict[str, Any]:
    org = rng.choice(MINISTRIES)[0]
    if deployment in ("public", None):
        provider = _pick(rng, PUBLIC_PROVIDERS)
        if deployment is None and rng.random() < 0.15:
            provider = None  # neither the deployment nor the provider is known
    else:
        provider = _pick(rng, PRIVATE_PROVIDERS)
        if provider is None:
            deployment = "private-internal"
    functions = rng.sample(FUNCTIONS, rng.choice((1, 1, 2)))
    since = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(13 * 365))
    facts: dict[str, Any] = {
        "deployment": deployment,
        "provider": provider,
        "subprocessors": _maybe(rng, 0.5, []),
        "functions": _maybe(rng, 0.9, functions),
        "storage_countries": _maybe(rng, 0.75, [rng.choice(("NL", "NL", "IE", "DE", "US"))]),
        "processing_countries": _maybe(rng, 0.6, [rng.choice(("NL", "IE", "DE", "US"))]),
        "encrypted_at_rest": _maybe(rng, 0.7, rng.random() < 0.9),
        "encrypted_in_transit": _maybe(rng, 0.8, rng.random() < 0.97),
        "key_custody": _maybe(rng, 0.5, rng.choice(("provider", "customer-managed"))),
        "open_data": _maybe(rng, 0.8, rng.random() < 0.05),
        "classification": _maybe(rng, 0.6, rng.choice(("none", "none", "dep-vertrouwelijk"))),
        "tbb_level": _maybe(rng, 0.5, "none"),
        "personal_data": _maybe(rng, 0.8, rng.choice(("none", "regular", "regular", "special"))),
        "large_scale_personal_data": _maybe(rng, 0.6, rng.random() < 0.1),
        "pets": _maybe(rng, 0.4, []),
        "core_task": True if material else _maybe(rng, 0.7, False),
        "business_critical": _maybe(rng, 0.7, False) if not material else True,
        "key_register": _maybe(rng, 0.7, "none"),
        "holds_source_data": _maybe(rng, 0.7, False),
        "in_use_since": _maybe(rng, 0.85, since.isoformat()),
    }
    if deployment == "public" and not material:
        # known not material: the criteria are known to be no
        facts.update(core_task=False, business_critical=False, large_scale_personal_data=False)
    record = {"id": f"rk-{number:04d}", "organisation": org, "name": f"Clouddienst {number}"}
    record.update({key: value for key, value in facts.items() if value is not None})
    return record


def rekenkamer_register(seed: int = 1) -> dict[str, Any]:
    """An inventory document with the Rekenkamer's totals; the same seed, the same document."""
    rng = random.Random(seed)
    organisations = []
    for org_id, name, critical, essential in MINISTRIES:
        record: dict[str, Any] = {"id": org_id, "name": name, "type": "ministry"}
        if critical is not None:
            record["critical_entity"] = critical
        if essential is not None:
            record["essential_entity"] = essential
        record["vital_provider"] = False
        organisations.append(record)
    private_kinds = (("private-external", 5), ("community", 2), ("private-internal", 3))
    plan: list[tuple[str | None, bool]] = [
        *(("public", i < PUBLIC_MATERIAL) for i in range(PUBLIC)),
        *((_pick(rng, private_kinds), False) for _ in range(PRIVATE)),
        *((None, False) for _ in range(UNKNOWN_DEPLOYMENT)),
    ]
    rng.shuffle(plan)
    registrations = [
        _registration(rng, number, deployment, material)
        for number, (deployment, material) in enumerate(plan, start=1)
    ]
    return {"organisations": organisations, "providers": [], "registrations": registrations}
