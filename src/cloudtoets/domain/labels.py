"""Dutch labels and explanations of every inventory column.

Keys are the interface.md names (nested ones dotted, as spreadsheet columns). The labels are the
headers of the product's own exports and are accepted as column names on input; the
explanations go into the workbook template.
"""

from __future__ import annotations

from collections.abc import Mapping

# list name -> key -> (Dutch label, explanation at language level B1)
LABELS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "organisations": {
        "id": ("Kenmerk", "Korte, unieke code van de organisatie, bijvoorbeeld bzk."),
        "name": ("Naam", "Volledige naam van de organisatie."),
        "type": (
            "Soort organisatie",
            "ministry, agency, zbo, defence, high-council, municipality, province, water-board of other.",
        ),
        "critical_entity": (
            "Kritieke entiteit",
            "Ja als de organisatie een kritieke entiteit is volgens de Wet weerbaarheid kritieke entiteiten.",
        ),
        "essential_entity": (
            "Essentiële entiteit",
            "Ja als de organisatie een essentiële entiteit is volgens de Cyberbeveiligingswet.",
        ),
        "vital_provider": ("Vitale aanbieder", "Ja als de organisatie een vitale aanbieder is."),
    },
    "providers": {
        "id": (
            "Kenmerk",
            "Korte, unieke code van de leverancier. Staat de leverancier in de ingebouwde catalogus, dan hoeft u hem hier niet op te nemen.",
        ),
        "name": ("Naam", "Juridische naam van de leverancier."),
        "country": ("Land", "Land van de statutaire zetel, als ISO-code (NL, IE, US ...)."),
        "headquarters": (
            "Geleid vanuit",
            "Land van waaruit de leverancier feitelijk wordt geleid (hoofdkantoor), als ISO-code. "
            "Alleen invullen als dat een ander land is dan de statutaire zetel.",
        ),
        "parent": (
            "Moederbedrijf",
            "Kenmerk van het moederbedrijf (ook uit de catalogus), of leeg.",
        ),
        "subprocessors": (
            "Eigen subverwerkers",
            "Kenmerken van leveranciers die deze leverancier zelf gebruikt voor de data "
            "(bijvoorbeeld de hosting), gescheiden door komma's. Ze tellen mee bij elk gebruik "
            "van deze leverancier. Leeg als er geen zijn.",
        ),
    },
    "registrations": {
        "id": ("Kenmerk", "Korte, unieke code van dit cloudgebruik."),
        "organisation": ("Organisatie", "Kenmerk van de organisatie die de dienst gebruikt."),
        "name": ("Naam", "Naam van de dienst zoals uw organisatie die kent."),
        "provider": (
            "Leverancier",
            "Kenmerk van de leverancier. Leeg bij private-internal zonder leverancier.",
        ),
        "subprocessors": (
            "Subverwerkers",
            "Kenmerken van andere leveranciers die de data ook verwerken (hosting, support), gescheiden door komma's.",
        ),
        "service_model": ("Servicemodel", "saas, paas of iaas."),
        "deployment": (
            "Inzetmodel",
            "public, hybrid, community, private-external of private-internal (door de overheid zelf beheerd).",
        ),
        "functions": (
            "Functies",
            "Waarvoor de dienst dient: email, document-management, collaboration, case-management, hosting, analytics, ai, other.",
        ),
        "storage_countries": (
            "Opslaglanden",
            "Landen waar de data worden opgeslagen, als ISO-codes gescheiden door komma's.",
        ),
        "processing_countries": (
            "Verwerkingslanden",
            "Landen waar de data worden verwerkt, ook support op afstand, als ISO-codes.",
        ),
        "encrypted_at_rest": (
            "Versleuteld bij opslag",
            "Ja als de data versleuteld zijn opgeslagen.",
        ),
        "encrypted_in_transit": (
            "Versleuteld tijdens transport",
            "Ja als de data versleuteld worden verstuurd.",
        ),
        "key_custody": (
            "Sleutelbeheer",
            "Wie beheert de sleutels: provider, customer-managed of customer-held.",
        ),
        "open_data": ("Openbare data", "Ja als het alleen om openbare data gaat."),
        "classification": (
            "Rubricering",
            "dep-vertrouwelijk, stg-confidentieel, stg-geheim of stg-zeer-geheim; geen als niet gerubriceerd.",
        ),
        "tbb_level": (
            "TBB-niveau",
            "Niveau van te beschermen belangen: 1 (zwaarst) tot 4; geen als niet van toepassing.",
        ),
        "personal_data": (
            "Persoonsgegevens",
            "none, regular of special (bijzondere persoonsgegevens).",
        ),
        "large_scale_personal_data": (
            "Grootschalige persoonsgegevens",
            "Ja als op grote schaal persoonsgegevens worden verwerkt.",
        ),
        "pets": (
            "Privacytechnieken (PETs)",
            "Toegepaste privacyverhogende technieken, gescheiden door komma's.",
        ),
        "core_task": ("Kerntaak", "Ja als de dienst een kerntaak of primair proces ondersteunt."),
        "business_critical": ("Bedrijfskritisch", "Ja als de dienst bedrijfskritisch is."),
        "material": (
            "Materieel",
            "Ja of nee om materieel gebruik zelf vast te stellen; leeg om het af te leiden.",
        ),
        "key_register": (
            "Basisregistratie",
            "De basisregistratie als het daarom gaat (BRP, BAG ...), anders geen.",
        ),
        "holds_source_data": (
            "Bevat brondata",
            "Ja als de brondata van de basisregistratie in deze dienst worden beheerd.",
        ),
        "abro_declaration": (
            "ABRO-verklaring",
            "Ja als de leverancier aantoonbaar voldoet aan de ABRO 2026.",
        ),
        "in_use_since": ("In gebruik sinds", "Datum waarop het gebruik begon (JJJJ-MM-DD)."),
        "contract_start": ("Begin contract", "Begindatum van het lopende contract."),
        "contract_end": ("Einde contract", "Einddatum van het lopende contract."),
        "lifecycle_moment": (
            "Levenscyclusmoment",
            "Logisch moment voor migratie in de levenscyclus (JJJJ-MM-DD).",
        ),
        "lifecycle_justification": (
            "Onderbouwing levenscyclusmoment",
            "Waarom migratie eerder hoge kosten of risico's heeft.",
        ),
        "risk_assessment.date": ("Datum risicoafweging", "Datum van de integrale risicoafweging."),
        "risk_assessment.covers_lock_in": (
            "Risicoafweging: leveranciersafhankelijkheid",
            "Ja als de afweging ingaat op afhankelijkheid van de leverancier.",
        ),
        "risk_assessment.covers_jurisdiction": (
            "Risicoafweging: jurisdictie",
            "Ja als de afweging ingaat op buitenlandse jurisdicties.",
        ),
        "risk_assessment.accepted_by": (
            "Risico's geaccepteerd door",
            "Naam en functie van de verantwoordelijke die de risico's accepteerde.",
        ),
        "risk_assessment.accepted_on": ("Risico's geaccepteerd op", "Datum van de acceptatie."),
        "exit_plan.planned.lead_time_days": (
            "Exitplan: doorlooptijd (dagen)",
            "Doorlooptijd van een geplande exit in dagen.",
        ),
        "exit_plan.planned.preconditions": (
            "Exitplan: randvoorwaarden",
            "Kritische randvoorwaarden voor een geplande exit, gescheiden door komma's.",
        ),
        "exit_plan.emergency.lead_time_days": (
            "Noodplan: doorlooptijd (dagen)",
            "Doorlooptijd als de dienst plotseling wegvalt, in dagen.",
        ),
        "exit_plan.emergency.preconditions": (
            "Noodplan: randvoorwaarden",
            "Kritische randvoorwaarden voor het noodplan, gescheiden door komma's.",
        ),
        "exit_plan.data_return": (
            "Teruggave data geregeld",
            "Ja als de leverancier de data bij een exit teruggeeft.",
        ),
        "exit_plan.data_destruction": (
            "Vernietiging data geregeld",
            "Ja als de leverancier de data na de exit vernietigt.",
        ),
        "exit_plan.last_tested": (
            "Exitplan laatst getest",
            "Datum van de laatste test van het exitplan.",
        ),
        "exit_plan.last_reviewed": (
            "Exitplan laatst herzien",
            "Datum van de laatste herziening van het exitplan.",
        ),
        "notification.submitted_on": (
            "Gemeld bij CIO Rijk op",
            "Datum van de melding van materieel gebruik.",
        ),
        "notification.to": ("Gemeld aan", "Aan wie is gemeld, bijvoorbeeld CIO Rijk."),
    },
    "justifications": {
        "registration": (
            "Registratie",
            "Kenmerk van het cloudgebruik waarvoor de afwijking geldt.",
        ),
        "rule": ("Regel", "De regel waarvan wordt afgeweken, bijvoorbeeld cb2026.4.5.email."),
        "reason": ("Onderbouwing", "Waarom wordt afgeweken van het advies?"),
        "accepted_by": ("Geaccepteerd door", "Naam en functie van wie de afwijking accepteerde."),
        "accepted_on": ("Geaccepteerd op", "Datum van de acceptatie."),
        "reported_on": ("Gemeld bij CIO Rijk op", "Datum waarop de afwijking is gemeld."),
        "continuity_risk_established": (
            "Continuïteitsrisico vastgesteld",
            "Alleen e-mail en documenten: ja als het continuïteitsrisico is vastgesteld.",
        ),
        "risk_and_exit_tested": (
            "Risico's en exit getest",
            "Alleen e-mail en documenten: ja als risico's en exit zijn getest.",
        ),
        "minister_consent_on": (
            "Toestemming minister op",
            "Alleen e-mail en documenten: datum van toestemming van de minister.",
        ),
    },
}

LIST_LABELS: Mapping[str, str] = {
    "organisations": "organisaties",
    "providers": "leveranciers",
    "registrations": "registraties",
    "justifications": "afwijkingen",
}


def header_aliases(list_name: str) -> dict[str, str]:
    """Column header (key or Dutch label, case-insensitive) -> key."""
    aliases: dict[str, str] = {}
    for key, (label, _) in LABELS[list_name].items():
        aliases[key.casefold()] = key
        aliases[label.casefold()] = key
    return aliases
