"""The tour "Van niet toegestaan naar toegestaan" (README) as browser steps, clicked as a newcomer
would: through the login form, the menu, links and buttons, and form fields found by their
visible labels. Each step starts on the page where the previous one ended.

The registration is fin-chatbot-belastingvragen of the demo register: new material use of a
public cloud (Azure OpenAI, parent company in the US) without any paperwork.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

REGISTRATION = "fin-chatbot-belastingvragen"
REGISTRATION_PATH = f"/registraties/{REGISTRATION}"

# what the demo register says is missing at the start
MISSING = [
    "cb2026.3.1.risk-assessment",
    "cb2026.3.2.data-exit",
    "cb2026.3.2.emergency-plan",
    "cb2026.3.2.exit-plan",
    "cb2026.3.3.notification",
]

# theme (the start of its heading on the form) -> description, likelihood, impact, measures,
# residual risk
RISKS: dict[str, tuple[str, str, str, str, str]] = {
    "Continuïteit": (
        "Bij een storing van Azure OpenAI kunnen burgers hun belastingvragen niet aan de chatbot "
        "stellen.",
        "2",
        "2",
        "De BelastingTelefoon en belastingdienst.nl blijven beschikbaar; de chatbot is een extra "
        "kanaal.",
        "laag",
    ),
    "Leveranciers": (  # leveranciersafhankelijkheid (with a soft hyphen on the page)
        "De chatbot gebruikt de API van Azure OpenAI. Overstappen naar een ander taalmodel vraagt "
        "aanpassingen en nieuwe tests van de antwoorden.",
        "3",
        "3",
        "Prompts en kennisbank staan in eigen beheer. Een tussenlaag maakt het taalmodel "
        "vervangbaar.",
        "midden",
    ),
    # the form suggests a description that names the US laws; the newcomer keeps that part
    "Buitenlandse jurisdictie": (
        "De kans op een verzoek om deze gegevens is klein; de gevolgen voor het vertrouwen van "
        "burgers zijn groot.",
        "2",
        "4",
        "Alleen de EU Data Zone. Persoonsgegevens worden uit de vragen gefilterd. Versleuteling "
        "met sleutels in eigen beheer.",
        "midden",
    ),
    "Informatiebeveiliging": (
        "Iemand probeert via slimme vragen de chatbot gegevens te laten lekken (prompt-injectie).",
        "3",
        "3",
        "Filters op vragen en antwoorden, en een pentest voor de livegang.",
        "laag",
    ),
    "Privacy": (
        "Burgers typen soms hun BSN of andere persoonsgegevens in een vraag.",
        "4",
        "3",
        "De chatbot herkent en verwijdert BSN's. Gesprekken worden na 30 dagen gewist.",
        "laag",
    ),
    "Uitvoerbaarheid van een exit": (
        "Een exit vraagt een ander taalmodel en opnieuw testen van de antwoorden.",
        "2",
        "3",
        "Het exitplan noemt een Europees taalmodel als alternatief en is getest.",
        "laag",
    ),
    "Overig": (
        "De chatbot geeft soms een onjuist antwoord over belastingregels.",
        "3",
        "3",
        "Elk antwoord verwijst naar belastingdienst.nl. Medewerkers controleren wekelijks een "
        "steekproef.",
        "midden",
    ),
}


# ------------------------------------------------------------------------------ logging in


def log_in(page: Page, base: str, username: str) -> None:
    """Log in with a demo account, reading its password from the table on the login page."""
    page.goto(base + "/", wait_until="networkidle")
    page.wait_for_url("**/inloggen**")
    accounts = page.get_by_role("table", name="Demo-accounts met hun rol")
    row = accounts.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=username, exact=True)
    )
    password = row.get_by_role("cell").first.inner_text()
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(base + "/")
    page.wait_for_load_state("networkidle")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen")


def menu(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=label).click()
    page.wait_for_load_state("networkidle")


def open_registration(page: Page) -> None:
    """Through the menu and the search field of the list."""
    menu(page, "Registraties")
    page.get_by_label("Zoek op naam of kenmerk").fill("belastingvragen")
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url("**q=belastingvragen**")
    page.locator("#registraties-tabel").get_by_role("link", name=re.compile("Chatbot")).click()
    page.wait_for_url("**" + REGISTRATION_PATH)
    page.wait_for_load_state("networkidle")


# ------------------------------------------------------------------------------ what the page says


def verdict(page: Page) -> str:
    """The verdict label on the registration page."""
    return page.locator("#oordeel-titel .ct-verdict").inner_text().strip()


def findings(page: Page) -> list[str]:
    """The rules of the findings on the registration page, sorted."""
    codes = page.locator(".ct-findings .ct-finding__meta .ct-code").all_inner_texts()
    return sorted(code.strip("() ") for code in codes)


def flash(page: Page) -> str:
    return page.locator("#meldingen").inner_text().strip()


def detail(scope: Page | Locator, term: str) -> str:
    """The value beside ``term`` in a list of details (dt/dd)."""
    item = f".utrecht-data-list__item:has(> dt:text-is({term!r}))"
    return " ".join(scope.locator(item + " > dd").inner_text().split())


def _follow(page: Page, link: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    page.wait_for_load_state("networkidle")


def _press(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("networkidle")


def back_to_registration(page: Page) -> None:
    page.get_by_role("navigation", name="Kruimelpad").get_by_role(
        "link", name=re.compile("Chatbot belastingvragen")
    ).click()
    page.wait_for_url("**" + REGISTRATION_PATH)
    page.wait_for_load_state("networkidle")


# ------------------------------------------------------------------------------ risk assessment


def _theme(page: Page, start: str) -> Locator:
    return page.get_by_role("group", name=re.compile("^" + re.escape(start)))


def open_risk_form(page: Page) -> None:
    """From the registration page to the empty form."""
    _follow(page, "Naar de integrale risicoafweging")
    _follow(page, "Integrale risicoafweging maken")


def fill_risk_assessment(page: Page) -> None:
    """Every theme, and the DPIA and DTIA (the chain reaches the US)."""
    page.get_by_label("Samenvatting en conclusie").fill(
        "Het gebruik is aanvaardbaar met de maatregelen hieronder. De belangrijkste risico's zijn "
        "afhankelijkheid van één taalmodel en Amerikaanse wetten via het moederbedrijf."
    )
    page.get_by_label("DPIA", exact=True).fill("DPIA-FIN-2026-014")
    page.get_by_label("DTIA", exact=True).fill("DTIA-FIN-2026-007")
    for start, (description, likelihood, impact, measures, residual) in RISKS.items():
        theme = _theme(page, start)
        field = theme.get_by_label("Beschrijving")
        suggested = field.input_value()
        if suggested:  # keep the facts, replace the request to describe the risk
            description = suggested.split(" Beschrijf ")[0] + " " + description
        field.fill(description)
        theme.get_by_label("Kans").select_option(likelihood)
        theme.get_by_label("Impact").select_option(impact)
        theme.get_by_label("Maatregelen").fill(measures)
        theme.get_by_label("Restrisico").select_option(label=residual)


def save_risk_assessment(page: Page) -> None:
    _press(page, "Opslaan als concept")
    page.wait_for_selector("h1:has-text('Integrale risicoafweging, versie 1')")


def jurisdiction_suggestion(page: Page) -> str:
    return _theme(page, "Buitenlandse jurisdictie").get_by_label("Beschrijving").input_value()


def open_draft_to_accept(page: Page) -> None:
    """As an approver, from the registration page to the draft with the acceptance form."""
    _follow(page, "Naar de integrale risicoafweging")
    _follow(page, "Concept bekijken en accorderen")


def accept_risk_assessment(page: Page) -> None:
    """On behalf of the responsible official, with today's date (filled in by the form)."""
    page.get_by_label("Naam van de verantwoordelijke").fill("J. de Vries")
    page.get_by_label("Functie").fill("secretaris-generaal Financiën")
    _press(page, "Accorderen")
    page.wait_for_selector("#meldingen:has-text('geaccordeerd')")


# ------------------------------------------------------------------------------ exit plan


def open_exit_form(page: Page) -> None:
    _follow(page, "Naar het exitplan")
    _follow(page, "Exitplan maken")


def fill_exit_plan(page: Page) -> None:
    planned = page.get_by_role("group", name="Geplande exit")
    planned.get_by_label("Wanneer begint dit scenario?").fill(
        "Het contract loopt af, of de dienst past niet meer bij het beleid."
    )
    planned.get_by_label("Stappen").fill(
        "Kennisbank en prompts exporteren. Een ander taalmodel aansluiten. De antwoorden opnieuw "
        "testen. De omgeving bij Azure opzeggen."
    )
    planned.get_by_label("Doorlooptijd in dagen").fill("120")
    planned.get_by_label("Kritische randvoorwaarden").fill(
        "Kennisbank en prompts staan in eigen beheer\nEen Europees taalmodel is getest"
    )
    planned.get_by_label("Andere leveranciers of oplossingen").fill(
        "Mistral AI (Frankrijk)\nEen open model op de Rijkscloud"
    )
    planned.get_by_label("Wie leidt de exit? (rol)").fill("Producteigenaar chatbot")

    emergency = page.get_by_role("group", name=re.compile("^Noodscenario"))
    emergency.get_by_label("Wanneer begint dit scenario?").fill(
        "Azure OpenAI valt langer dan een dag uit, of de leverancier moet stoppen."
    )
    emergency.get_by_label("Stappen").fill(
        "De chatbot uitzetten. Bezoekers doorsturen naar de BelastingTelefoon en "
        "belastingdienst.nl. Daarna de geplande exit volgen."
    )
    emergency.get_by_label("Doorlooptijd in dagen").fill("14")
    emergency.get_by_label("Kritische randvoorwaarden").fill(
        "Een tekst voor de website ligt klaar\nDe BelastingTelefoon kan meer bellers aan"
    )
    emergency.get_by_label("Wie leidt de exit? (rol)").fill("Teamleider klantcontact")

    data = page.get_by_role("group", name="Gegevens teruggeven en vernietigen")
    data.get_by_label("Formaat van de teruggave").fill("JSON (kennisbank, prompts en gesprekken)")
    data.get_by_label("Hoeveelheid gegevens (GB)").fill("50")
    data.get_by_label("Bandbreedte voor de exit (Mbit/s)").fill("100")
    data.get_by_label("Aantal koppelingen met andere systemen").fill("2")
    data.get_by_label("Manier van vernietigen").fill(
        "De leverancier wist alle gegevens binnen 30 dagen na het einde van het contract."
    )
    data.get_by_label("Bewijs van vernietiging").fill(
        "Een vernietigingsverklaring van de leverancier, gecontroleerd door de CISO."
    )


def save_exit_plan(page: Page) -> None:
    _press(page, "Exitplan opslaan")
    page.wait_for_selector("#meldingen:has-text('Het exitplan is opgeslagen.')")


def record_passed_test(page: Page) -> None:
    """On the exit plan page: a passed test today (the form fills in the date)."""
    page.get_by_role("radio", name="geslaagd", exact=True).check()
    page.get_by_label("Toelichting").fill(
        "Kennisbank en gesprekken als JSON geëxporteerd en ingelezen in een testomgeving met een "
        "ander taalmodel."
    )
    _press(page, "Test vastleggen")
    page.wait_for_selector("#meldingen:has-text('De test van het exitplan is vastgelegd.')")


# ------------------------------------------------------------------------------ notification


def create_notification(page: Page) -> None:
    """From the registration page: a draft notification."""
    _press(page, "Maak een melding")
    page.wait_for_url(re.compile(r".*/meldingen/\d+$"))


def submit_notification(page: Page) -> None:
    _press(page, "Dien de melding in")
    page.wait_for_selector("#meldingen:has-text('De melding is ingediend bij CIO Rijk.')")


def notification_state(page: Page) -> str:
    """The state as the notification page says it ("ingediend", ...)."""
    return page.locator("[aria-current='step']").inner_text().strip()


def inbox_row(page: Page) -> Locator:
    """On the inbox: the row of this registration's notification."""
    return page.get_by_role("row").filter(has_text=REGISTRATION)


def receive_notification(page: Page) -> None:
    """As CIO Rijk, from the inbox: open the notification and mark it received."""
    inbox_row(page).get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    _press(page, "Neem de melding in behandeling")
    page.wait_for_selector("#meldingen:has-text('De melding is in behandeling genomen.')")
