"""The cloud offerings the demo organisations use: provider, data locations, exit route.

Providers are ids from the built-in catalogue (catalogue/providers.yaml), except the suppliers in
``DOCUMENT_PROVIDERS``: Dutch subsidiaries with a catalogue parent that host on a hyperscaler (a
sub-processor), so their jurisdiction chain leaves the EEA although the contracting party is
Dutch. Countries are a typical configuration (EU data boundary, EU region, support locations);
they illustrate, they are not vendor statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudtoets.domain.model import Provider
from cloudtoets.domain.vocabulary import Deployment, KeyCustody, ServiceModel

Scenario = tuple[int, tuple[str, ...]]  # exit lead time in days, preconditions
SAAS_EXIT: Scenario = (450, ("aanbesteding opvolger", "export van dossiers in open formaat"))
CLOUD_EXIT: Scenario = (270, ("infrastructuur als code", "tweede EU-aanbieder gecontracteerd"))
OFFICE_EXIT: Scenario = (
    540,
    (
        "rijksbrede e-mail- en samenwerkingsvoorziening beschikbaar",
        "migratie van postbussen en sites",
        "archiefbewerking",
    ),
)
OFFICE_EMERGENCY: Scenario = (
    3,
    ("noodmail via de rijksmailvoorziening in het ODC", "contactlijsten en draaiboeken offline"),
)
COPY_EMERGENCY: Scenario = (1, ("bevraging direct op de eigen bronvoorziening",))


@dataclass(frozen=True, slots=True)
class Platform:
    """One way of buying cloud: provider, deployment, data locations and the exit route."""

    provider: str | None
    label: str  # how registration names mention it: "Werkmap (Azure)"
    deployment: Deployment
    service_model: ServiceModel
    storage: tuple[str, ...] = ("NL",)
    processing: tuple[str, ...] = ()  # beyond the storage countries, e.g. remote support
    key_custody: KeyCustody = KeyCustody.CUSTOMER_MANAGED
    subprocessors: tuple[str, ...] = ()
    exit: Scenario | None = None  # planned exit; None: the usual one for the service model
    emergency: Scenario = (3, ("dagelijkse kopie buiten de leverancier",))

    @property
    def planned_exit(self) -> Scenario:
        return self.exit or (SAAS_EXIT if self.service_model is ServiceModel.SAAS else CLOUD_EXIT)

    def facts(self) -> dict[str, Any]:
        """Registration fields that follow from the platform alone."""
        return {
            "provider": self.provider,
            "deployment": self.deployment,
            "service_model": self.service_model,
            "subprocessors": list(self.subprocessors),
            "storage_countries": list(self.storage),
            "key_custody": self.key_custody,
            "processing_countries": list(dict.fromkeys(self.storage + self.processing)),
            "encrypted_at_rest": True,
            "encrypted_in_transit": True,
        }


DOCUMENT_PROVIDERS = (
    Provider(id="visma-raet", country="NL", name="Visma Raet B.V.", parent="visma"),
    Provider(id="sap-nederland", country="NL", name="SAP Nederland B.V.", parent="sap"),
    Provider(id="centric-nl", country="NL", name="Centric Netherlands B.V.", parent="centric"),
)

PUBLIC, HYBRID, COMMUNITY = Deployment.PUBLIC, Deployment.HYBRID, Deployment.COMMUNITY
PRIVATE, INTERNAL = Deployment.PRIVATE_EXTERNAL, Deployment.PRIVATE_INTERNAL
SAAS, PAAS, IAAS = ServiceModel.SAAS, ServiceModel.PAAS, ServiceModel.IAAS
P_KEYS, HELD = KeyCustody.PROVIDER, KeyCustody.CUSTOMER_HELD
MS, NL, EU2 = "microsoft-ireland", ("NL",), ("NL", "DE")

# fmt: off
M365 = Platform(MS, "Microsoft 365", PUBLIC, SAAS, ("NL", "IE"),  # EU Data Boundary
                exit=OFFICE_EXIT, emergency=OFFICE_EMERGENCY)
COPILOT = Platform(MS, "Microsoft 365", PUBLIC, SAAS, ("NL", "IE"), ("SE",), P_KEYS)
AZURE = Platform(MS, "Azure", PUBLIC, PAAS, NL, ("IE",))
AZURE_COPY = Platform(MS, "Azure", HYBRID, PAAS, NL, (), HELD, emergency=COPY_EMERGENCY)
DYNAMICS = Platform(MS, "Dynamics 365", PUBLIC, SAAS, NL, ("IE",))
POWER_BI = Platform(MS, "Power BI", PUBLIC, SAAS, ("NL", "IE"), (), P_KEYS)
OPENAI_EU = Platform(MS, "Azure OpenAI, Data Zone EU", PUBLIC, PAAS, ("SE",), NL)
OPENAI_GLOBAL = Platform(MS, "Azure OpenAI, Global", PUBLIC, PAAS, ("SE",), ("NL", "US"))
GITHUB = Platform("github", "GitHub", PUBLIC, SAAS, ("SE",), ("US",), P_KEYS)
AWS = Platform("aws-emea", "AWS", PUBLIC, IAAS, ("DE",))
AWS_COPY = Platform("aws-emea", "AWS", HYBRID, PAAS, EU2, (), HELD, emergency=COPY_EMERGENCY)
AWS_SOVEREIGN = Platform("aws-european-sovereign-cloud", "AWS European Sovereign Cloud", PUBLIC,
                         IAAS, ("DE",), (), HELD)
GOOGLE = Platform("google-cloud-emea", "Google Cloud", PUBLIC, PAAS, NL, ("US",))  # US support
GOOGLE_EU = Platform("google-cloud-emea", "Google Cloud, EU-support", PUBLIC, PAAS, NL, ("BE",))
SALESFORCE = Platform("salesforce", "Salesforce", PUBLIC, SAAS, ("DE", "FR"), ("IE",),
                      emergency=(2, ("telefonie en e-mail los van het CRM", "kennisbank offline")))
SERVICENOW = Platform("servicenow-nl", "ServiceNow", PUBLIC, SAAS, EU2, ("US",))
WORKDAY = Platform("workday-ireland", "Workday", PUBLIC, SAAS, ("IE", "NL"), ("US",), P_KEYS)
SAP_RISE = Platform("sap-nederland", "SAP S/4HANA Cloud, RISE", PUBLIC, SAAS, NL, ("DE",),
                    subprocessors=(MS,), exit=(720, ("nieuw ERP-platform", "migratie stamdata")))
SUCCESSFACTORS = Platform("sap", "SAP SuccessFactors", PUBLIC, SAAS, EU2)
YOUFORCE = Platform("visma-raet", "Youforce", PUBLIC, SAAS, EU2, (), HELD, ("aws-emea",))
ATLASSIAN = Platform("atlassian-pty", "Jira, Confluence", PUBLIC, SAAS, ("DE", "IE"),
                     ("AU", "US"), P_KEYS)
ZOOM = Platform("zoom", "Zoom", PUBLIC, SAAS, EU2, ("US",), P_KEYS)
WEBEX = Platform("cisco-nl", "Webex", PUBLIC, SAAS, EU2, (), P_KEYS)
SLACK = Platform("slack", "Slack", PUBLIC, SAAS, ("DE",), ("US",), P_KEYS)
DROPBOX = Platform("dropbox-ireland", "Dropbox Business", PUBLIC, SAAS, ("DE",), ("US",), P_KEYS)
ADOBE_SIGN = Platform("adobe-ireland", "Adobe Acrobat Sign", PUBLIC, SAAS, ("IE", "DE"), ("US",),
                      P_KEYS)
MENDIX = Platform("mendix", "Mendix Cloud", PUBLIC, PAAS, ("DE",), subprocessors=("aws-emea",))
CENTRIC = Platform("centric-nl", "Centric, op Azure", PUBLIC, SAAS, NL, subprocessors=(MS,))
CENTRIC_PRIVATE = Platform("centric", "Centric private cloud", PRIVATE, SAAS, NL, (), HELD)
TOPDESK = Platform("topdesk", "TOPdesk", PUBLIC, SAAS, NL, (), P_KEYS)
AFAS = Platform("afas", "AFAS Online", PUBLIC, SAAS, NL, (), P_KEYS)
ZIVVER = Platform("zivver", "Zivver", PUBLIC, SAAS, NL, (), HELD)
PROTON = Platform("proton", "Proton Mail", PUBLIC, SAAS, ("CH",), (), HELD)
BLEU = Platform("bleu", "Microsoft 365 via Bleu", PUBLIC, SAAS, ("FR",), exit=OFFICE_EXIT)
DELOS = Platform("delos-cloud", "Microsoft 365 via Delos", PUBLIC, SAAS, ("DE",), exit=OFFICE_EXIT)
S3NS = Platform("s3ns", "S3NS", PUBLIC, PAAS, ("FR",))
OVH = Platform("ovhcloud", "OVHcloud", PUBLIC, IAAS, ("FR",), (), HELD)
STACKIT = Platform("stackit", "STACKIT", PUBLIC, IAAS, ("DE",), (), HELD)
SCALEWAY = Platform("scaleway", "Scaleway", PUBLIC, PAAS, ("FR",))
OPEN_TELEKOM = Platform("t-systems", "Open Telekom Cloud", PUBLIC, IAAS, NL, ("DE",))
EXOSCALE = Platform("exoscale", "Exoscale, Zwitserland", PUBLIC, IAAS, ("CH",))
LEASEWEB = Platform("leaseweb", "Leaseweb", PUBLIC, IAAS, NL)
CLOUDFLARE = Platform("cloudflare", "Cloudflare", PUBLIC, SAAS, NL, ("DE", "US", "GB"), P_KEYS)
AKAMAI = Platform("akamai", "Akamai", PUBLIC, SAAS, NL, ("DE", "US"), P_KEYS)
KPN_PRIVATE = Platform("kpn", "KPN private cloud", PRIVATE, IAAS, NL)
KPN_COMMUNITY = Platform("kpn", "KPN community cloud", COMMUNITY, IAAS, NL)
SCHUBERG = Platform("schuberg-philis", "Schuberg Philis", PRIVATE, IAAS, NL)
OWN_DATACENTRE = Platform(None, "eigen datacentrum", INTERNAL, IAAS, NL)  # ODC's, own centres
# fmt: on
