"""Building blocks of the demo register: a service as organisations buy it (``Service``), one
organisation's use of it (``Use``), the services many organisations share, and short names for
the vocabulary ``data.py`` is written in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudtoets.demo import platforms as p
from cloudtoets.demo.paperwork import Deviation, Dossier
from cloudtoets.demo.platforms import Platform
from cloudtoets.domain.model import Organisation
from cloudtoets.domain.vocabulary import Classification as C
from cloudtoets.domain.vocabulary import KeyRegister as K
from cloudtoets.domain.vocabulary import OrganisationType
from cloudtoets.domain.vocabulary import PersonalData as D
from cloudtoets.domain.vocabulary import PrivacyTechnique as T
from cloudtoets.domain.vocabulary import ServiceFunction as F

MAIL, DOCS, COLLAB, CASES = F.EMAIL, F.DOCUMENT_MANAGEMENT, F.COLLABORATION, F.CASE_MANAGEMENT
HOSTING, ANALYTICS, AI, OTHER = F.HOSTING, F.ANALYTICS, F.AI, F.OTHER
DEP_V, STG_C, STG_G = C.DEP_VERTROUWELIJK, C.STG_CONFIDENTIEEL, C.STG_GEHEIM
PSEUDO, DP, SYNTHETIC = T.PSEUDONYMISATION, T.DIFFERENTIAL_PRIVACY, T.SYNTHETIC_DATA
HELD_KEYS = T.CUSTOMER_HELD_KEYS
BAG, BLAU, BRK, BRP, BRT, BRV, WOZ = K.BAG, K.BLAU, K.BRK, K.BRP, K.BRT, K.BRV, K.WOZ
COMPLETE, TEST_OVERDUE, NEVER_TESTED = Dossier.COMPLETE, Dossier.TEST_OVERDUE, Dossier.NEVER_TESTED
NOT_NOTIFIED, NO_EXIT_PLAN = Dossier.NOT_NOTIFIED, Dossier.NO_EXIT_PLAN
PARTIAL_EXIT, NO_JURISDICTION = Dossier.PARTIAL_EXIT, Dossier.NO_JURISDICTION
UNACCEPTED, NOTHING = Dossier.UNACCEPTED, Dossier.NOTHING
REPORTED, UNREPORTED = Deviation.REPORTED, Deviation.UNREPORTED
NO_CONSENT, DRAFT = Deviation.NO_CONSENT, Deviation.DRAFT
# What every demo registration states unless its platform, service or use says otherwise: a
# register that knows its services says "no" and "none" out loud (unknowns.md), it does not
# leave them blank. These are the values the inventory format assumed before unknowns.md, so
# every verdict of the demo is the one it was; the gaps in ``data.py`` are on purpose.
KNOWN: Mapping[str, Any] = {
    "subprocessors": [],
    "open_data": False,
    "classification": C.NONE,
    "tbb_level": "none",
    "personal_data": D.NONE,
    "large_scale_personal_data": False,
    "pets": [],
    "core_task": False,
    "business_critical": False,
    "key_register": K.NONE,
    "holds_source_data": False,
}
UNKNOWN_ENCRYPTION: Mapping[str, Any] = {"encrypted_at_rest": None, "encrypted_in_transit": None}
# Facts that travel together. Core tasks on data of many citizens are material use (S3).
PEOPLE: Mapping[str, Any] = {"personal_data": D.REGULAR}
HEALTH: Mapping[str, Any] = {"personal_data": D.SPECIAL}  # special personal data (art. 9 AVG)
CITIZENS: Mapping[str, Any] = {**PEOPLE, "core_task": True, "large_scale_personal_data": True}
CRITICAL: Mapping[str, Any] = {"business_critical": True}
# A lifecycle reason that makes a later migration moment acceptable (S1).
REPLACEMENT = (
    "Migratie vergt een nieuwe applicatie; vervanging staat gepland aan het einde van "
    "de levensduur. Eerder migreren kost dubbel en brengt de continuïteit in gevaar."
)


@dataclass(frozen=True, slots=True)
class Use:
    """One organisation's use of a service: the facts that differ per organisation."""

    service: Service
    since: dt.date | None
    dossier: Dossier | None
    justify: Mapping[str, Deviation]
    facts: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Service:
    """A service as organisations buy it: id suffix, Dutch name, platform and typical facts."""

    key: str
    name: str
    platform: Platform
    functions: tuple[F, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)

    def at(
        self,
        since: str | None,
        state: Dossier | None = None,
        *,
        justify: Mapping[str, Deviation] | None = None,
        contract: tuple[str, str] | None = None,
        lifecycle: tuple[str, str] | None = None,
        **facts: Any,
    ) -> Use:
        """In use since ``since`` (None: unknown) with this dossier, justifications, contract
        (start, end), lifecycle (moment, reason) and facts; ``key``/``name`` rename the use."""
        if contract:
            facts["contract_start"], facts["contract_end"] = map(dt.date.fromisoformat, contract)
        if lifecycle:
            facts["lifecycle_moment"] = dt.date.fromisoformat(lifecycle[0])
            facts["lifecycle_justification"] = lifecycle[1]
        start = None if since is None else dt.date.fromisoformat(since)
        return Use(self, start, state, justify or {}, facts)


def service(key: str, name: str, platform: Platform, *functions: F, **facts: Any) -> Service:
    return Service(key, name, platform, functions, facts)


@dataclass(frozen=True, slots=True)
class Member:
    """An organisation of the demo, who accepts its risks, and what it uses."""

    organisation: Organisation
    owner: str  # accepts risk assessments and justifications
    uses: tuple[Use, ...]
    prefix: str = ""  # of registration ids; the organisation id when empty
    notify_to: str = "CIO Rijk"


def organisation(
    key: str,
    kind: OrganisationType,
    name: str,
    *,
    critical_entity: bool = False,
    essential_entity: bool = False,
    vital_provider: bool = False,
) -> Organisation:
    """A demo organisation that states whether it is a critical or essential entity or a vital
    provider (an ILLUSTRATIVE ASSUMPTION, see data.py): each is known, none is left blank."""
    return Organisation(
        key,
        kind,
        name,
        critical_entity=critical_entity,
        essential_entity=essential_entity,
        vital_provider=vital_provider,
    )


# fmt: off
MAIL_M365 = service("m365-mail", "E-mail Exchange Online", p.M365, MAIL, **PEOPLE, **CRITICAL)
TEAMS = service("m365-samenwerking", "Samenwerken en documenten: Teams, SharePoint, OneDrive",
                p.M365, COLLAB, DOCS, **PEOPLE, **CRITICAL)
SECURE_MAIL = service("zivver", "Veilig mailen", p.ZIVVER, MAIL, **PEOPLE)
ITSM = service("servicenow", "IT-servicemanagement", p.SERVICENOW, CASES, **PEOPLE, **CRITICAL)
FACILITIES = service("topdesk", "Facilitaire meldingen", p.TOPDESK, CASES, **PEOPLE)
PROJECTS = service("jira-confluence", "Projecten en kennisbank", p.ATLASSIAN, COLLAB)
SOURCE_CODE = service("github", "Broncodebeheer", p.GITHUB, OTHER)
WEBINARS = service("zoom", "Webinars en online bijeenkomsten", p.ZOOM, COLLAB, **PEOPLE)
VIDEO = service("webex", "Videobellen", p.WEBEX, COLLAB, **PEOPLE)
DMS = service("dms-odc", "Documentmanagement en archief", p.OWN_DATACENTRE, DOCS,
              classification=DEP_V, **PEOPLE, **CRITICAL)
PAYROLL = service("youforce", "Personeels- en salarisadministratie", p.YOUFORCE, OTHER, **PEOPLE)
SICK_LEAVE = service("verzuim", "Verzuimregistratie", p.YOUFORCE, CASES, **HEALTH,
                     pets=[PSEUDO, HELD_KEYS])
P_DIREKT = service("p-direkt", "Personeelsadministratie via P-Direkt", p.OWN_DATACENTRE, OTHER,
                   **HEALTH, **CRITICAL)
WORKDAY = service("workday", "HR en salarisadministratie", p.WORKDAY, OTHER, **PEOPLE)
EXPENSES = service("afas", "Declaraties en inkoopfacturen", p.AFAS, OTHER, **PEOPLE)
WEBSITE = service("website", "Website", p.LEASEWEB, HOSTING, open_data=True)
CDN = service("website-cdn", "Website en CDN", p.CLOUDFLARE, HOSTING, open_data=True)
OPEN_DATA = service("open-data", "Open-dataportaal", p.OVH, HOSTING, open_data=True)
REPORTS = service("power-bi", "Managementrapportages", p.POWER_BI, ANALYTICS)
AI_EU = service("ai-assistent", "AI-schrijfassistent", p.OPENAI_EU, AI, **PEOPLE)
AI_GLOBAL = service("ai-proef", "AI-proef samenvatten", p.OPENAI_GLOBAL, AI, **PEOPLE)
COPILOT_PILOT = service("copilot", "Proef Copilot", p.COPILOT, AI, COLLAB, **PEOPLE)
E_SIGNING = service("acrobat-sign", "Digitaal ondertekenen", p.ADOBE_SIGN, OTHER, **PEOPLE)
CLASSIFIED_TEAMS = service("crisis-teams", "Crisisoverleg met Stg. Confidentieel-stukken in Teams",
                           p.M365, COLLAB, classification=STG_C)
CLASSIFIED_OWN = service("gerubriceerd-odc", "Gerubriceerde dossiers Stg. Geheim",
                         p.OWN_DATACENTRE, DOCS, classification=STG_G)
BACKUP = service("backup-stackit", "Offsite back-up", p.STACKIT, OTHER, **PEOPLE, **CRITICAL)
# fmt: on
