"""Steps the browser tests share: filling the forms into an error state, a conflict, an upload."""

from __future__ import annotations

from playwright.sync_api import Page

BAD_INVENTORY = b"""\
registrations:
  - id: e2e-fout-een
    organisation: fin
    deployment: openbaar
  - id: e2e-fout-twee
    organisation: fin
    deployment: public
    provider: bestaat-niet
    storage_countries: [XX]
"""

GOOD_INVENTORY = b"""\
registrations:
  - id: fin-e2e-nieuw
    organisation: fin
    name: Nieuwe dienst uit een import
    deployment: public
    provider: microsoft-ireland
    storage_countries: [NL, IE]
    processing_countries: [NL, IE, US]
  - id: fin-e2e-eigen
    organisation: fin
    name: Archief in eigen datacentrum
    deployment: private-internal
"""

# the focused element shows a ring: an outline or a box shadow
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
}"""


def submit_form_with_errors(page: Page) -> None:
    """On the new form: wrong and missing values, then save (-> 422 with messages)."""
    page.fill("#id", "e2e-fout")
    page.select_option("#organisation", "fin")
    page.fill("#storage_countries", "NL, XX")
    page.click("button:has-text('Registratie opslaan')")
    page.wait_for_selector("#foutoverzicht")


def make_conflict(page: Page) -> None:
    """On an edit form: someone else saves first (in another tab), then this tab saves."""
    other = page.context.new_page()
    other.goto(page.url)
    other.fill("#lifecycle_justification", "Overstappen kan bij het einde van het contract.")
    other.click("button:has-text('Registratie opslaan')")
    other.wait_for_load_state()
    other.close()
    page.fill("#name", "Door mij gewijzigd")
    page.click("button:has-text('Registratie opslaan')")
    page.wait_for_selector("text=Iemand anders heeft deze registratie gewijzigd")


def upload(page: Page, content: bytes, name: str = "inventaris.yaml") -> None:
    """On the import page: choose a file and ask for the preview."""
    page.set_input_files(
        "#bestand", files=[{"name": name, "mimeType": "application/yaml", "buffer": content}]
    )
    page.click("button:has-text('Bekijk wat er verandert')")
    page.wait_for_selector("h1")
