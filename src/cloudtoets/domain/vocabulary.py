"""Controlled vocabularies of the inventory format (policy.md, interface.md).

StrEnum members compare and hash as their code string, so they can be used directly as keys and
set members next to plain strings read from files.
"""

from __future__ import annotations

from enum import StrEnum


class OrganisationType(StrEnum):
    MINISTRY = "ministry"
    AGENCY = "agency"
    ZBO = "zbo"
    DEFENCE = "defence"
    HIGH_COUNCIL = "high-council"
    MUNICIPALITY = "municipality"
    PROVINCE = "province"
    WATER_BOARD = "water-board"
    OTHER = "other"


class Deployment(StrEnum):
    PUBLIC = "public"
    HYBRID = "hybrid"
    COMMUNITY = "community"
    PRIVATE_EXTERNAL = "private-external"
    PRIVATE_INTERNAL = "private-internal"


class ServiceModel(StrEnum):
    SAAS = "saas"
    PAAS = "paas"
    IAAS = "iaas"


class ServiceFunction(StrEnum):
    EMAIL = "email"
    DOCUMENT_MANAGEMENT = "document-management"
    COLLABORATION = "collaboration"
    CASE_MANAGEMENT = "case-management"
    HOSTING = "hosting"
    ANALYTICS = "analytics"
    AI = "ai"
    OTHER = "other"


class KeyRegister(StrEnum):
    NONE = "none"  # known: no key register (unknowns.md)
    BRP = "BRP"
    HR = "HR"
    BAG = "BAG"
    BRK = "BRK"
    BRT = "BRT"
    BGT = "BGT"
    BRO = "BRO"
    BRV = "BRV"
    BRI = "BRI"
    WOZ = "WOZ"
    BLAU = "BLAU"


# The key registers by name, with the article a sentence needs ("de brondata van het
# Handelsregister"); the code stays what interface.md says.
KEY_REGISTER_NAMES: dict[KeyRegister, str] = {
    KeyRegister.BRP: "de Basisregistratie Personen",
    KeyRegister.HR: "het Handelsregister",
    KeyRegister.BAG: "de Basisregistratie Adressen en Gebouwen",
    KeyRegister.BRK: "de Basisregistratie Kadaster",
    KeyRegister.BRT: "de Basisregistratie Topografie",
    KeyRegister.BGT: "de Basisregistratie Grootschalige Topografie",
    KeyRegister.BRO: "de Basisregistratie Ondergrond",
    KeyRegister.BRV: "de Basisregistratie Voertuigen",
    KeyRegister.BRI: "de Basisregistratie Inkomen",
    KeyRegister.WOZ: "de Waardering Onroerende Zaken",
    KeyRegister.BLAU: "de Basisregistratie Lonen, Arbeids- en Uitkeringsverhoudingen",
}


class PrivacyTechnique(StrEnum):
    """Privacy enhancing technologies (PETs)."""

    PSEUDONYMISATION = "pseudonymisation"
    ANONYMISATION = "anonymisation"
    TOKENISATION = "tokenisation"
    DATA_MASKING = "data-masking"
    CUSTOMER_HELD_KEYS = "customer-held-keys"
    CONFIDENTIAL_COMPUTING = "confidential-computing"
    HOMOMORPHIC_ENCRYPTION = "homomorphic-encryption"
    SECURE_MULTIPARTY_COMPUTATION = "secure-multiparty-computation"
    DIFFERENTIAL_PRIVACY = "differential-privacy"
    SYNTHETIC_DATA = "synthetic-data"
    FEDERATED_LEARNING = "federated-learning"
    ZERO_KNOWLEDGE_PROOFS = "zero-knowledge-proofs"
    PRIVATE_SET_INTERSECTION = "private-set-intersection"


class KeyCustody(StrEnum):
    PROVIDER = "provider"
    CUSTOMER_MANAGED = "customer-managed"
    CUSTOMER_HELD = "customer-held"


class PersonalData(StrEnum):
    NONE = "none"
    REGULAR = "regular"
    SPECIAL = "special"


class Classification(StrEnum):
    NONE = "none"  # known: ongerubriceerd (unknowns.md)
    DEP_VERTROUWELIJK = "dep-vertrouwelijk"
    STG_CONFIDENTIEEL = "stg-confidentieel"
    STG_GEHEIM = "stg-geheim"
    STG_ZEER_GEHEIM = "stg-zeer-geheim"


# The classifications by their Dutch name, for forms and messages alike.
CLASSIFICATION_NAMES: dict[Classification, str] = {
    Classification.DEP_VERTROUWELIJK: "Departementaal vertrouwelijk",
    Classification.STG_CONFIDENTIEEL: "Stg. Confidentieel",
    Classification.STG_GEHEIM: "Stg. Geheim",
    Classification.STG_ZEER_GEHEIM: "Stg. Zeer geheim",
}


class Scope(StrEnum):
    MANDATORY = "mandatory"
    EXCLUDED = "excluded"
    ADVISORY = "advisory"


class Severity(StrEnum):
    FORBIDDEN = "forbidden"
    REQUIRED = "required"
    ADVISED_AGAINST = "advised-against"
    RECOMMENDED = "recommended"

    @property
    def is_hard(self) -> bool:
        """Hard findings block use (after any transition period)."""
        return self in (Severity.FORBIDDEN, Severity.REQUIRED)


class Verdict(StrEnum):
    """A registration's verdict; declared worst first."""

    NOT_ALLOWED = "not-allowed"
    TRANSITION = "transition"
    ADVISED_AGAINST = "advised-against"
    ALLOWED_WITH_CONDITIONS = "allowed-with-conditions"
    ALLOWED = "allowed"
    # not one verdict but a range: the best and worst differ because facts are unknown
    # (unknowns.md). Ranked after the five real verdicts; a result sorts by its worst verdict.
    INCOMPLETE = "incomplete"

    @property
    def rank(self) -> int:
        """0 for the worst verdict; a lower rank is worse."""
        return _VERDICT_RANK[self]

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


_VERDICT_RANK = {verdict: rank for rank, verdict in enumerate(Verdict)}

VERDICT_LABELS = {
    Verdict.NOT_ALLOWED: "niet toegestaan",
    Verdict.TRANSITION: "overgangstermijn",
    Verdict.ADVISED_AGAINST: "afgeraden",
    Verdict.ALLOWED_WITH_CONDITIONS: "toegestaan onder voorwaarden",
    Verdict.ALLOWED: "toegestaan",
    Verdict.INCOMPLETE: "onvolledig",
}

SEVERITY_LABELS = {
    Severity.FORBIDDEN: "verboden",
    Severity.REQUIRED: "verplicht",
    Severity.ADVISED_AGAINST: "afgeraden",
    Severity.RECOMMENDED: "aanbeveling",
}
