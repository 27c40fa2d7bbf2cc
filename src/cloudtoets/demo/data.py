"""The demo register: the cloud use of eleven organisations, as a newcomer sees it in demo mode.

FICTIONAL BUT REALISTIC. Providers and services exist (built-in catalogue), but registrations,
dates, contracts and decisions are invented to show the Rijksbreed cloudbeleid 2026 at work; they
say nothing about the real cloud use of these organisations. Each organisation lists its uses of
shared services and of its own services (``blocks.py``); a use adds since when, how far the
paperwork is (``paperwork.py``), contracts and justifications. No randomness: building twice gives
equal inventories. At ``DEMO_AS_OF`` every verdict occurs many times.
"""

# ruff: noqa: F405  (the register is written in the vocabulary of blocks.py)
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from cloudtoets.demo import platforms as p
from cloudtoets.demo.blocks import *  # noqa: F403
from cloudtoets.demo.blocks import KNOWN, Member, Use
from cloudtoets.demo.paperwork import (
    DOCUMENTS,
    EMAIL,
    JURISDICTION,
    SPECIAL_DATA,
    dossier,
    justification,
)
from cloudtoets.domain.model import Inventory, Registration
from cloudtoets.domain.vocabulary import OrganisationType as O
from cloudtoets.io.write import inventory_document

DEMO_AS_OF = dt.date(2026, 11, 29)
s = service

# Which organisations are critical entities (Wwke), essential entities (Cyberbeveiligingswet) or
# vital providers is an ILLUSTRATIVE ASSUMPTION of this demo, not a statement about the real
# organisations. It decides where section 4.3 (non-EEA jurisdiction for core tasks) applies.
# fmt: off
FIN = Member(organisation("fin", O.MINISTRY, "Ministerie van Financiën"),
             "secretaris-generaal Financiën", (
    MAIL_M365.at("2021-10-01", COMPLETE, justify={EMAIL: REPORTED}),
    TEAMS.at("2022-01-10", COMPLETE, justify={DOCUMENTS: NO_CONSENT}),
    SECURE_MAIL.at("2020-05-01"),
    s("sap-financien", "Financiële administratie", p.SAP_RISE, OTHER, **PEOPLE, **CRITICAL).at(
        "2023-01-01", NO_EXIT_PLAN, contract=("2023-01-01", "2030-12-31")),
    PAYROLL.at("2019-01-01"),
    ITSM.at("2020-03-01", COMPLETE, contract=("2021-01-01", "2031-12-31")),  # outlasts 2030
    REPORTS.at("2021-06-01", name="Rapportages begrotingsuitvoering"),
    # a gap on purpose: whether the bills in the proof are still classified is not known
    s("ai-wetsanalyse", "AI-proef wetsanalyse", p.OPENAI_EU, AI, classification=None
      ).at("2026-09-01"),
    # new, material and without any paperwork: the README tour takes it to 'allowed'
    s("chatbot-belastingvragen", "Chatbot belastingvragen", p.OPENAI_EU, AI, **CITIZENS).at(
        "2026-10-15", NOTHING),
    WEBSITE.at("2018-01-01", name="Rijksbegroting.nl"),
    DMS.at("2015-04-01"),
    PROJECTS.at("2022-02-01"),
    E_SIGNING.at("2026-08-15"),
    VIDEO.at("2020-03-20"),
    s("woo-verzoeken", "Woo-verzoeken en klachten", p.DYNAMICS, CASES, **HEALTH).at("2022-10-01"),
))
VWS = Member(organisation("vws", O.MINISTRY, "Ministerie van Volksgezondheid, Welzijn en Sport"),
             "secretaris-generaal VWS", (
    MAIL_M365.at("2022-04-01", NOT_NOTIFIED),
    TEAMS.at("2022-04-01", NOT_NOTIFIED),
    s("zorgdata-analyse", "Analyseplatform zorgdata", p.AZURE, ANALYTICS, **HEALTH,
      large_scale_personal_data=True, pets=[PSEUDO, DP]).at(
        "2021-05-01", COMPLETE, justify={SPECIAL_DATA: REPORTED}),
    s("subsidies", "Subsidieaanvragen zorg en welzijn", p.DYNAMICS, CASES, **PEOPLE,
      core_task=True).at("2023-03-01", COMPLETE),
    s("publieksvragen", "Publieksvragen en crisiscommunicatie", p.SALESFORCE, CASES, **PEOPLE,
      core_task=True).at("2021-03-01", UNACCEPTED),
    AI_GLOBAL.at("2026-10-01", name="AI-proef samenvatten consultatiereacties"),
    CDN.at("2019-06-01", name="Websites en CDN"),
    PROJECTS.at("2021-02-01"),
    SICK_LEAVE.at("2022-01-01", justify={SPECIAL_DATA: UNREPORTED}),
    DMS.at("2016-01-01"),
    SOURCE_CODE.at("2020-11-01", name="Open source broncode", open_data=True),
    s("onderzoeksomgeving", "Onderzoeksomgeving gezondheidsdata", p.STACKIT, ANALYTICS, **HEALTH,
      pets=[SYNTHETIC, PSEUDO]).at("2026-09-01"),
    s("s3ns-proef", "Proef soevereine cloud voor beleidsanalyse", p.S3NS, ANALYTICS
      ).at("2026-07-15"),
    WEBINARS.at("2020-04-01"),
    # a gap on purpose: nobody has asked the supplier about encryption yet
    s("zorgmonitor", "Enquêteplatform zorgmonitor", p.GOOGLE, ANALYTICS, **PEOPLE,
      **UNKNOWN_ENCRYPTION).at("2026-09-20"),
))
IENW = Member(organisation("ienw", O.MINISTRY, "Ministerie van Infrastructuur en Waterstaat"),
              "secretaris-generaal IenW", (
    MAIL_M365.at("2020-11-01", COMPLETE, justify={EMAIL: UNREPORTED}),
    TEAMS.at("2020-11-01", COMPLETE),
    s("knmi-data", "KNMI Data Platform, open data", p.AWS, HOSTING, open_data=True,
      core_task=True).at("2021-02-01", COMPLETE),
    s("ilt-toezicht", "Toezichtsysteem ILT", p.MENDIX, CASES, **PEOPLE, core_task=True).at(
        "2021-09-01", NO_JURISDICTION),
    ITSM.at("2019-05-01", COMPLETE, contract=("2019-05-01", "2029-04-30")),
    s("kaartviewer", "Kaartviewer infrastructuurprojecten", p.OVH, HOSTING, open_data=True
      ).at("2024-05-01"),
    COPILOT_PILOT.at("2026-09-15"),
    s("delos-proef", "Proef kantooromgeving", p.DELOS, MAIL, COLLAB, DOCS, **PEOPLE
      ).at("2026-10-01"),
    DMS.at("2017-01-01"),
    EXPENSES.at("2021-01-01"),
    SECURE_MAIL.at("2019-03-01"),
    PROJECTS.at("2023-04-01"),
    WEBINARS.at("2021-01-10"),
    s("codeassistent", "AI-codeassistent Copilot", p.GITHUB, AI).at("2026-08-10"),
    CLASSIFIED_TEAMS.at("2025-02-01"),
    s("bestandsuitwisseling", "Bestandsuitwisseling aannemers, oude server", p.LEASEWEB, OTHER,
      **PEOPLE, encrypted_at_rest=False).at("2014-06-01"),
))
BELASTINGDIENST = Member(organisation("belastingdienst", O.AGENCY, "Belastingdienst",
                                      essential_entity=True),
                         "directeur-generaal Belastingdienst", (
    s("aangifte-ib", "Aangifte inkomstenbelasting", p.OWN_DATACENTRE, CASES, **CITIZENS,
      **CRITICAL).at("2008-01-01"),
    MAIL_M365.at("2025-09-01", NO_EXIT_PLAN),
    TEAMS.at("2025-09-01", NO_EXIT_PLAN),
    s("klantcontact", "Klantcontact BelastingTelefoon", p.SALESFORCE, CASES, **CITIZENS).at(
        "2022-06-01", COMPLETE),
    s("fraudesignalen", "Dataplatform fraudesignalen", p.OWN_DATACENTRE, ANALYTICS, **CITIZENS
      ).at("2019-01-01"),
    s("website-cdn", "Website en CDN belastingdienst.nl", p.AKAMAI, HOSTING, open_data=True
      ).at("2018-03-01"),
    ITSM.at("2021-04-01", COMPLETE, contract=("2021-04-01", "2028-03-31")),
    SOURCE_CODE.at("2024-02-01"),
    AI_EU.at("2026-08-01", NOT_NOTIFIED, name="AI-assistent brieven aan burgers", core_task=True),
    s("bleu-proef", "Proef kantoorautomatisering", p.BLEU, MAIL, COLLAB, DOCS, **PEOPLE
      ).at("2026-10-01"),
    BACKUP.at("2026-09-01", COMPLETE),
    P_DIREKT.at("2013-01-01"),
    CLASSIFIED_OWN.at("2010-01-01", key="fiod-dossiers", name="FIOD-dossiers Stg. Geheim"),
    s("forensische-analyse", "FIOD: forensische analyse van beslagen data", p.AWS, ANALYTICS,
      **HEALTH, core_task=True).at("2023-05-01", PARTIAL_EXIT),
    PROJECTS.at("2021-01-15"),
    s("transcriptie", "Transcriptie gesprekken BelastingTelefoon", p.OPENAI_GLOBAL, AI, **PEOPLE
      ).at("2026-11-02"),
    s("herstel-toeslagen", "Herstel toeslagen: dossiers gedupeerden", p.DYNAMICS, CASES,
      **CITIZENS).at("2021-02-01", COMPLETE, **HEALTH, pets=[PSEUDO],
                     justify={SPECIAL_DATA: REPORTED, JURISDICTION: REPORTED}),
))
RWS = Member(organisation("rws", O.AGENCY, "Rijkswaterstaat", critical_entity=True,
                          essential_entity=True), "directeur-generaal Rijkswaterstaat", (
    MAIL_M365.at("2020-06-01", COMPLETE, justify={EMAIL: REPORTED}),
    TEAMS.at("2020-06-01", COMPLETE, justify={DOCUMENTS: DRAFT}),
    s("waterinfo", "Waterinfo en meetnetdata", p.AZURE, HOSTING, open_data=True, core_task=True,
      **CRITICAL).at("2019-09-01", COMPLETE),
    s("keringen", "Besturing stormvloedkeringen", p.OWN_DATACENTRE, OTHER, tbb_level=2,
      core_task=True, **CRITICAL).at("2011-01-01"),
    s("verkeersmanagement", "Verkeersmanagement verkeerscentrales", p.KPN_PRIVATE, OTHER,
      tbb_level=3, abro_declaration=True, core_task=True, **CRITICAL).at("2018-01-01",
                                                                         TEST_OVERDUE),
    s("areaaldata", "Areaaldata en assetmanagement", p.OPEN_TELEKOM, ANALYTICS, core_task=True
      ).at("2022-03-01", PARTIAL_EXIT),
    s("onderhoud-sap", "Onderhoudsbeheer kunstwerken", p.SAP_RISE, CASES, core_task=True,
      **CRITICAL).at("2024-01-01", NO_JURISDICTION),
    s("digitale-tweeling", "Digitale tweeling rivieren", p.AWS_SOVEREIGN, ANALYTICS,
      core_task=True).at("2026-09-15", COMPLETE),
    s("vaarweginformatie", "Vaarweginformatie-API", p.LEASEWEB, HOSTING, open_data=True
      ).at("2020-02-01"),
    FACILITIES.at("2019-10-01"),
    s("beeldherkenning", "AI-beeldherkenning inspectie bruggen", p.SCALEWAY, AI).at("2026-08-20"),
    s("verkeersprognoses", "Verkeersprognoses met BigQuery", p.GOOGLE, ANALYTICS).at("2022-10-01"),
    CLASSIFIED_OWN.at("2016-05-01", key="crisisorganisatie", name="Crisisorganisatie: stukken "
                      "Stg. Geheim"),
    # gaps on purpose: which sub-processors help, who holds the keys and whether it supports a
    # core task (so whether the use is material) are not known
    s("klimaatscenario", "Rekenomgeving klimaatscenario's", p.EXOSCALE, ANALYTICS,
      subprocessors=None, key_custody=None, core_task=None).at("2023-06-01"),
    PROJECTS.at("2021-08-01"),
    WORKDAY.at("2022-04-01"),
    s("drone-inspecties", "Beeldopslag drone-inspecties", p.AWS, OTHER, **CRITICAL).at(
        "2026-10-05", NOT_NOTIFIED),
))
DUO = Member(organisation("duo", O.AGENCY, "Dienst Uitvoering Onderwijs"),
             "directeur-generaal DUO", (
    MAIL_M365.at("2023-02-01", COMPLETE, justify={EMAIL: NO_CONSENT}),
    TEAMS.at("2023-02-01", COMPLETE),
    s("studiefinanciering", "Studiefinanciering", p.OWN_DATACENTRE, CASES, **CITIZENS,
      **CRITICAL).at("2005-01-01"),
    s("mijn-duo", "Portaal Mijn DUO", p.AWS, HOSTING, **CITIZENS).at("2020-09-01", NOT_NOTIFIED),
    s("klantcontact", "Klantcontact studenten en scholen", p.SALESFORCE, CASES, **CITIZENS).at(
        "2021-11-01", TEST_OVERDUE),
    s("chatbot", "Chatbot studiefinanciering", p.OPENAI_EU, AI, **CITIZENS).at(
        "2026-10-01", NOTHING),
    s("centrale-examens", "Digitale centrale examens", p.KPN_PRIVATE, OTHER, tbb_level=3,
      abro_declaration=True, core_task=True).at("2019-01-01", COMPLETE),
    s("ketenhosting", "Gedeelde hosting onderwijsketen", p.KPN_COMMUNITY, HOSTING, **PEOPLE
      ).at("2020-08-01"),
    WORKDAY.at("2021-01-01"),
    WEBINARS.at("2020-03-16"),
    # a gap on purpose: bought by a department on its own, the deployment model is not known
    s("scholenoverleg", "Samenwerking met scholen", p.SLACK, COLLAB, **PEOPLE, deployment=None
      ).at("2026-09-01"),
    s("passend-onderwijs", "Leerlinggegevens passend onderwijs", p.AZURE, CASES, **HEALTH
      ).at("2024-03-01"),
    SOURCE_CODE.at("2022-09-01"),
    OPEN_DATA.at("2021-03-01", name="Open onderwijsdata"),
))
UWV = Member(organisation("uwv", O.ZBO, "Uitvoeringsinstituut Werknemersverzekeringen",
                          essential_entity=True), "raad van bestuur UWV", (
    MAIL_M365.at("2022-03-01", COMPLETE, justify={EMAIL: REPORTED}),
    TEAMS.at("2022-03-01", COMPLETE, justify={DOCUMENTS: UNREPORTED}),
    s("ww-uitkeringen", "WW-uitkeringen", p.OWN_DATACENTRE, CASES, **CITIZENS, **CRITICAL
      ).at("2009-01-01"),
    s("werkmap", "werk.nl en Werkmap", p.AZURE, CASES, **CITIZENS).at("2020-01-15", NOT_NOTIFIED),
    s("sociaal-medisch", "Sociaal-medische beoordeling", p.OWN_DATACENTRE, CASES, **HEALTH,
      core_task=True).at("2012-01-01"),
    s("ziekmeldingen", "Ziekmeldingen werkgevers", p.SALESFORCE, CASES, **CITIZENS).at(
        "2021-06-01", COMPLETE, **HEALTH),
    s("blau-bevraging", "Polisadministratie: bevragingskopie BLAU", p.AZURE_COPY, HOSTING,
      **CITIZENS, key_register=BLAU).at("2023-10-01", COMPLETE, justify={JURISDICTION: REPORTED}),
    s("blau-bron", "Polisadministratie: BLAU-brondata", p.OWN_DATACENTRE, CASES, **CITIZENS,
      key_register=BLAU, holds_source_data=True).at("2006-01-01"),
    ITSM.at("2020-06-01", COMPLETE),
    s("vacaturematching", "AI-matching vacatures", p.GOOGLE_EU, AI, **CITIZENS).at(
        "2026-08-01", NO_EXIT_PLAN),
    s("datalab", "Datalab arbeidsmarktanalyse", p.AZURE, ANALYTICS, **HEALTH, pets=[PSEUDO],
      large_scale_personal_data=True).at("2024-04-01", COMPLETE),
    SECURE_MAIL.at("2019-01-01"),
    s("hr-successfactors", "HR-processen, support ook vanuit India", p.SUCCESSFACTORS, OTHER,
      **PEOPLE, processing_countries=["NL", "DE", "IN"]).at("2020-01-01"),
    SOURCE_CODE.at("2021-05-01"),
    PROJECTS.at("2020-10-01"),
    s("aanvraagformulieren", "Low-code aanvraagformulieren", p.MENDIX, CASES, **PEOPLE
      ).at("2022-02-01"),
    CDN.at("2020-03-01", name="uwv.nl en CDN"),
))
RDW = Member(organisation("rdw", O.ZBO, "RDW", vital_provider=True), "algemeen directeur RDW", (
    s("kentekenregister", "Kentekenregister, BRV-brondata", p.OWN_DATACENTRE, CASES, **CITIZENS,
      key_register=BRV, holds_source_data=True).at("2004-01-01"),
    s("open-data", "Open data voertuigen", p.AZURE, HOSTING, open_data=True, key_register=BRV
      ).at("2017-01-01"),
    s("brv-bevraging", "BRV-bevragingsservice ketenpartners", p.AWS_COPY, HOSTING, **CITIZENS,
      key_register=BRV).at("2022-05-01", COMPLETE, justify={JURISDICTION: REPORTED}),
    s("apk-registratie", "APK-registratie, brondata", p.AWS, CASES, **CITIZENS, key_register=BRV,
      holds_source_data=True).at("2022-09-01", COMPLETE, lifecycle=("2031-06-30", REPLACEMENT)),
    MAIL_M365.at("2021-05-01", NOTHING),
    TEAMS.at("2021-05-01", NOTHING),
    SOURCE_CODE.at("2021-03-01"),
    s("kentekencheck-app", "App Kentekencheck", p.GOOGLE, HOSTING, open_data=True).at("2026-08-12"),
    s("documentherkenning", "AI-herkenning kentekenpapieren", p.OPENAI_EU, AI, **CITIZENS).at(
        "2026-09-01", COMPLETE),
    WORKDAY.at("2022-01-01"),
    WEBSITE.at("2016-01-01", name="rdw.nl"),
    WEBINARS.at("2020-04-15", lifecycle=("2031-12-31", "")),  # no reason: no extension
    s("testomgeving", "Testomgeving met synthetische data", p.STACKIT, OTHER).at("2025-11-01"),
))
KADASTER = Member(organisation("kadaster", O.ZBO, "Kadaster", essential_entity=True),
                  "raad van bestuur Kadaster", (
    s("brk-bron", "Basisregistratie Kadaster, brondata", p.OWN_DATACENTRE, CASES, **CITIZENS,
      key_register=BRK, holds_source_data=True).at("2003-01-01"),
    s("pdok", "PDOK geodatadiensten", p.AZURE, HOSTING, open_data=True, core_task=True,
      key_register=BRT).at("2021-04-01", COMPLETE),
    s("bag-api", "BAG API individuele bevragingen, kopie", p.AZURE_COPY, HOSTING, core_task=True,
      key_register=BAG).at("2022-11-01", COMPLETE, justify={JURISDICTION: UNREPORTED}),
    s("brk-migratieproef", "Proefmigratie BRK-brondata", p.AZURE, CASES, **CITIZENS,
      key_register=BRK, holds_source_data=True).at("2026-09-01", COMPLETE),
    MAIL_M365.at("2021-09-01", COMPLETE, justify={EMAIL: NO_CONSENT}),
    TEAMS.at("2021-09-01", COMPLETE),
    s("lv-woz", "Landelijke Voorziening WOZ", p.SCHUBERG, HOSTING, **CITIZENS, key_register=WOZ
      ).at("2016-01-01", COMPLETE),
    ITSM.at("2020-10-01", NEVER_TESTED),
    s("vastgoedanalyse", "Vastgoeddata-analyse met BigQuery", p.GOOGLE, ANALYTICS, material=True
      ).at("2021-07-01"),
    AI_GLOBAL.at("2026-10-15", name="AI-proef doorzoeken kadastrale stukken"),
    FACILITIES.at("2019-04-01"),
    SOURCE_CODE.at("2020-01-01"),
    SECURE_MAIL.at("2020-06-01"),
    s("bestandsdeling", "Bestandsdeling met landmeters", p.DROPBOX, OTHER, **PEOPLE).at(
        None),  # start unknown: no transition period
))
UTRECHT = Member(organisation("gemeente-utrecht", O.MUNICIPALITY, "Gemeente Utrecht"),
                 "gemeentesecretaris Utrecht", prefix="utrecht", notify_to="CIO-office Utrecht",
                 uses=(
    MAIL_M365.at("2020-03-01", NOTHING),
    TEAMS.at("2020-03-01", NOTHING),
    s("zaaksysteem", "Zaaksysteem", p.CENTRIC, CASES, **CITIZENS).at("2019-01-01", NO_JURISDICTION),
    s("brp-bijhouding", "BRP-bijhouding burgerzaken", p.CENTRIC_PRIVATE, CASES, **CITIZENS,
      key_register=BRP, holds_source_data=True).at("2015-01-01", COMPLETE),
    s("jeugdzorg", "Jeugdzorgdossiers wijkteams", p.SALESFORCE, CASES, **HEALTH, pets=[PSEUDO]
      ).at("2023-01-01"),
    s("woz", "WOZ-administratie", p.CENTRIC, CASES, **CITIZENS, key_register=WOZ,
      holds_source_data=True).at("2018-01-01", COMPLETE, contract=("2022-01-01", "2031-12-31")),
    s("proton-mail", "Beveiligde mail bestuurders", p.PROTON, MAIL, **PEOPLE).at("2026-08-01"),
    WEBSITE.at("2017-01-01", name="utrecht.nl"),
    FACILITIES.at("2018-01-01"),
    s("parkeervergunningen", "Parkeervergunningen", p.AWS, CASES, **CITIZENS).at(
        "2021-04-01", UNACCEPTED),
    SECURE_MAIL.at("2019-01-01"),
    s("schuldhulp", "Schuldhulpverlening", p.SALESFORCE, CASES, **HEALTH).at("2022-05-01"),
    OPEN_DATA.at("2020-01-01", name="Open data Utrecht"),
))
DEFENSIE = Member(organisation("def", O.DEFENCE, "Ministerie van Defensie", vital_provider=True),
                  "secretaris-generaal Defensie", notify_to="CIO Defensie", uses=(
    CLASSIFIED_OWN.at("2012-01-01", key="operationeel", name="Operationele informatievoorziening "
                      "Stg. Geheim"),
    s("kantoor-m365", "Kantoorautomatisering ongerubriceerd", p.M365, MAIL, COLLAB, DOCS,
      **PEOPLE, **CRITICAL).at("2023-06-01", COMPLETE),
    s("werving", "Werving en selectie", p.SALESFORCE, CASES, **PEOPLE,
      large_scale_personal_data=True).at("2019-03-01", COMPLETE),
    CLASSIFIED_TEAMS.at("2026-08-01", key="missie-teams",
                        name="Missievoorbereiding met Stg. Confidentieel-bijlagen in Teams"),
    s("oefenomgeving", "Simulatie- en oefenomgeving", p.AWS, OTHER, classification=DEP_V
      ).at("2026-09-01"),
    s("medische-dossiers", "Militair medische dossiers", p.OWN_DATACENTRE, CASES, **HEALTH,
      core_task=True).at("2014-01-01"),
    WEBINARS.at("2020-03-15"),
    SOURCE_CODE.at("2022-01-01"),
    ITSM.at("2021-01-01", COMPLETE),
    s("veteranenportaal", "Veteranenportaal", p.AZURE, CASES, **HEALTH, pets=[PSEUDO, HELD_KEYS]
      ).at("2022-05-01", justify={SPECIAL_DATA: REPORTED}),
    s("logistiek-analyse", "Analyse logistiek", p.AWS_SOVEREIGN, ANALYTICS, classification=DEP_V,
      abro_declaration=True, **CRITICAL).at("2026-10-01", COMPLETE),
))
# fmt: on
MEMBERS = (FIN, VWS, IENW, BELASTINGDIENST, RWS, DUO, UWV, RDW, KADASTER, UTRECHT, DEFENSIE)


def _registration(member: Member, index: int, use: Use) -> Registration:
    owner, shift, platform = member.owner, (index * 7) % 40, use.service.platform
    facts: dict[str, Any] = {**KNOWN, **platform.facts(), **use.service.facts, **use.facts}
    if use.dossier is not None:
        facts |= dossier(use.dossier, platform, owner, member.notify_to, use.since, shift)
    facts["justifications"] = [justification(r, d, owner, shift) for r, d in use.justify.items()]
    key = facts.pop("key", use.service.key)
    return Registration(
        id=f"{member.prefix or member.organisation.id}-{key}",
        organisation=member.organisation.id,
        name=f"{facts.pop('name', use.service.name)} ({platform.label})",
        functions=list(use.service.functions),
        in_use_since=use.since,
        **copy.deepcopy(facts),
    )


def build_demo_inventory() -> Inventory:
    """The demo register as domain objects: new objects on every call, always equal."""
    return Inventory(
        organisations=[copy.copy(member.organisation) for member in MEMBERS],
        providers=[copy.copy(provider) for provider in p.DOCUMENT_PROVIDERS],
        registrations=[
            _registration(member, index, use)
            for member in MEMBERS
            for index, use in enumerate(member.uses)
        ],
    )


def demo_inventory_document() -> dict[str, Any]:
    """The demo register as an inventory document (interface.md keys; dates as ``date``)."""
    return inventory_document(build_demo_inventory())
